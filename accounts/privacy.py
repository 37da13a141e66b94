"""A person's own account data, for their data export (privacy app)."""

from django.utils.translation import gettext as _

from core.privacy import readable

from .models import OrganisationInvitation


def personal_data(user) -> dict[str, list[dict]]:
    return {
        _("Account"): [readable(user, ["email", "full_name", "phone", "organisation", "language", "date_joined",
                                       "last_login"])],
        _("Register numbers"): [readable(m, ["register", "number"]) for m in user.register_memberships.all()],
        _("Organisations"): [readable(m, ["organisation", "role", "shares_progress_since", "created_at"])
                             for m in user.memberships.select_related("organisation")],
        _("Invitations to an organisation"): [
            readable(i, ["organisation", "email", "role", "created_at", "accepted_at"])
            for i in OrganisationInvitation.objects.filter(email__iexact=user.email).select_related("organisation")],
    }


def personal_files(user) -> list:
    return []


def erase(user, *, needles: list[str], unique: list[str], now) -> None:
    """Invitations to the person's address go; memberships and register numbers go with the account."""
    OrganisationInvitation.objects.filter(email__iexact=user.email).delete()

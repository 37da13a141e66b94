"""A person's own account data, for their data export (privacy app)."""

from django.utils.translation import gettext as _

from core.privacy import PersonalData, readable

from .models import Membership, OrganisationInvitation


def personal_data(user) -> dict[str, list[dict]]:
    return {
        _("Account"): [readable(user, ["email", "full_name", "phone", "organisation", "language", "receives_reminders",
                                       "date_joined", "last_login"])],
        _("Register numbers"): [readable(m, ["register", "number"]) for m in user.register_memberships.all()],
        _("Organisations"): [readable(m, ["organisation", "role", "shares_progress_since", "created_at"])
                             for m in user.memberships.select_related("organisation")],
        _("Invitations to an organisation"): [
            readable(i, ["organisation", "email", "role", "created_at", "accepted_at"])
            for i in OrganisationInvitation.objects.filter(email__iexact=user.email).select_related("organisation")],
    }


def personal_files(user) -> list:
    return []


def erase(user, *, needles: list[str], unique: list[str], now, **_options) -> None:
    """Invitations to the person's address go; memberships and register numbers go with the account."""
    OrganisationInvitation.objects.filter(email__iexact=user.email).delete()


def identifiers(user) -> set[str]:
    return {membership.number for membership in user.register_memberships.all() if membership.number}


def records(user) -> list:
    return [(type(user), [user.pk])]


def keeps_account():
    """Members of an organisation keep their account: it is never removed as a stale sign-up."""
    return Membership.objects.values("user")


PART = PersonalData(app="accounts", data=personal_data, files=personal_files, erase=erase, erase_order=40,
                    identifiers=identifiers, records=records, keeps_account=keeps_account)

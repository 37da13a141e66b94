"""Writes to a person's own account data."""

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.addresses import postcode_normalise
from core.audit import record

from .models import Membership, Organisation, OrganisationInvitation, RegisterMembership, User
from .registers import Register, register_number_normalise, register_number_validate


@transaction.atomic
def profile_update(
    *,
    user: User,
    full_name: str,
    phone: str,
    organisation: str,
    register_numbers: dict[str, str],
    language: str | None = None,
    receives_reminders: bool | None = None,
) -> User:
    """Saves the profile and the register memberships together: all of it or, on a bad number, none.

    `register_numbers` maps a `Register` value to a member number; an empty number ends the membership.
    """
    for register, number in register_numbers.items():
        Register(register)
        if number.strip():
            register_number_validate(number, register)

    user.full_name = full_name.strip()
    user.phone = phone.strip()
    user.organisation = organisation.strip()
    user.language = language or user.language
    if receives_reminders is not None:
        user.receives_reminders = receives_reminders
    user.save(update_fields=["full_name", "phone", "organisation", "language", "receives_reminders"])

    for register, number in register_numbers.items():
        _register_number_save(user, register, number)
    return user


def _register_number_save(user: User, register: str, number: str) -> None:
    number = register_number_normalise(number)
    if number:
        RegisterMembership.objects.update_or_create(user=user, register=register, defaults={"number": number})
    else:
        RegisterMembership.objects.filter(user=user, register=register).delete()


@transaction.atomic
def register_number_correct(*, user: User, register: str, number: str, actor: User) -> str:
    """The office corrects a person's number for one register (a number PE-online did not know); returns it as
    saved. Raises ValidationError for a number in the wrong shape, and changes nothing then."""
    Register(register)
    register_number_validate(number, register)
    _register_number_save(user, register, number)
    record(user, "user.register_number_corrected", actor=actor, register=register)
    return register_number_normalise(number)


def progress_sharing_set(*, membership: Membership, shares: bool, now: datetime | None = None) -> Membership:
    """The person's choice whether the organisation's contact persons see their attendance, completion and
    certificates: the moment they agreed is kept; taking it back clears it. Both are in the history."""
    if shares == (membership.shares_progress_since is not None):
        return membership
    now = now or timezone.now()
    membership.shares_progress_since = now if shares else None
    membership.save(update_fields=["shares_progress_since"])
    record(membership, "membership.progress_shared" if shares else "membership.progress_withheld",
           actor=membership.user, at=now, note=membership.organisation.name)
    return membership


class MembershipError(Exception):
    """A rule that stops joining or inviting; the message is for the person who tried."""


ORGANISATION_FIELDS = ["name", "kvk_number", "vat_id", "street", "postcode", "city", "country", "invoice_email",
                       "default_reference", "oin"]


@transaction.atomic
def organisation_create(*, user: User, now: datetime | None = None, **details) -> Organisation:
    """A person who books for their organisation registers it and becomes its contact person."""
    organisation = Organisation(**{name: str(details[name]).strip() for name in ORGANISATION_FIELDS if name in details})
    organisation.postcode = postcode_normalise(organisation.postcode, organisation.country)
    organisation.save()
    Membership.objects.create(organisation=organisation, user=user, role=Membership.Role.CONTACT)
    record(organisation, "organisation.created", actor=user, at=now, note=user.email)
    return organisation


@transaction.atomic
def organisation_invite(*, organisation: Organisation, email: str, role: str, actor: User,
                        now: datetime | None = None) -> OrganisationInvitation:
    """Invites a colleague by email to join as contact person or member; they accept with their account."""
    now = now or timezone.now()
    email = email.strip().lower()
    Membership.Role(role)
    if organisation.memberships.filter(user__email__iexact=email, role=Membership.Role.CONTACT).exists() or (
            role == Membership.Role.MEMBER and organisation.memberships.filter(user__email__iexact=email).exists()):
        raise MembershipError(_("%(email)s is already part of %(organisation)s.")
                              % {"email": email, "organisation": organisation.name})
    invitation = OrganisationInvitation.objects.create(organisation=organisation, email=email, role=role,
                                                       token=secrets.token_urlsafe(32), invited_by=actor,
                                                       created_at=now)
    record(organisation, "organisation.invited", actor=actor, at=now, note=f"{email} ({role})")
    return invitation


@transaction.atomic
def organisation_join(*, invitation: OrganisationInvitation, user: User, now: datetime | None = None) -> Membership:
    """The invited colleague joins: their account becomes a contact person or member (a member invited as
    contact person is made one). The link works once, for the address it was sent to."""
    now = now or timezone.now()
    invitation = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if user.email.lower() != invitation.email:
        raise MembershipError(_("This invitation is for %(email)s. Log in with that address to accept it.")
                              % {"email": invitation.email})
    membership = Membership.objects.filter(organisation_id=invitation.organisation_id, user=user).first()
    if invitation.accepted_at is not None:
        if membership is None:
            raise MembershipError(_("This invitation has already been accepted."))
        return membership
    if membership is None:
        membership = Membership.objects.create(organisation_id=invitation.organisation_id, user=user,
                                               role=invitation.role)
    elif invitation.role == Membership.Role.CONTACT and not membership.is_contact:
        membership.role = Membership.Role.CONTACT
        membership.save(update_fields=["role"])
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    record(invitation.organisation, "organisation.joined", actor=user, at=now,
           note=f"{user.email} ({membership.role})")
    return membership

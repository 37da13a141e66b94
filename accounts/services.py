"""Writes to a person's own account data."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.audit import record

from .models import Membership, RegisterMembership, User
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
) -> User:
    """Saves the profile and the register memberships together: all of it or, on a bad number, none.

    `register_numbers` maps a `Register` value to a member number; an empty number ends the membership.
    """
    for register, number in register_numbers.items():
        Register(register)
        if number.strip():
            register_number_validate(number)

    user.full_name = full_name.strip()
    user.phone = phone.strip()
    user.organisation = organisation.strip()
    user.language = language or user.language
    user.save(update_fields=["full_name", "phone", "organisation", "language"])

    for register, number in register_numbers.items():
        number = register_number_normalise(number)
        if number:
            RegisterMembership.objects.update_or_create(
                user=user, register=register, defaults={"number": number}
            )
        else:
            RegisterMembership.objects.filter(user=user, register=register).delete()
    return user


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

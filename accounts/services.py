"""Writes to a person's own account data."""

from django.db import transaction

from .models import RegisterMembership, User
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

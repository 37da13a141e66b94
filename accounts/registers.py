"""The professional registers that award PE points, and what a member number of each looks like.

Shared by people's memberships (profile) and courses' accreditations, and later by certificates.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Register(models.TextChoices):
    NOBCO = "nobco", "NOBCO"
    NOLOC = "noloc", "Noloc"
    REGISTERPLEIN = "registerplein", "Registerplein"
    SRA = "sra", _("Register Arbeidsdeskundigen (SRA)")


# Registers print member numbers in different shapes (digits, letters with digits, dashes); what they
# share is a short code with at least one digit and no spaces or other punctuation.
REGISTER_NUMBER_PATTERN = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9.\-/]{2,19}$")


def register_number_normalise(value: str) -> str:
    return value.strip().upper()


# PE-online (Xaurum) identifies a person by their register number: the registers that use it give out digits
# only. Noloc and NOBCO numbers keep the general shape above.
DIGITS_ONLY = re.compile(r"^\d{3,10}$")
NUMBER_PATTERN_OF = {Register.REGISTERPLEIN: DIGITS_ONLY, Register.SRA: DIGITS_ONLY}

# The registers whose attendance goes through PE-online; NOBCO grants a PE-vignet instead.
PE_ONLINE_REGISTERS = (Register.NOLOC, Register.REGISTERPLEIN, Register.SRA)

# Over how many years a register adds up PE points for re-registration (Noloc: 75 points in 4 years).
RECERTIFICATION_YEARS = {Register.NOBCO: 3, Register.NOLOC: 4, Register.REGISTERPLEIN: 3, Register.SRA: 3}


def register_number_validate(value: str, register: str | None = None) -> None:
    """The shape every register number has, and for a `register` that hands out digits only, that shape."""
    number = register_number_normalise(value)
    if not REGISTER_NUMBER_PATTERN.match(number):
        raise ValidationError(
            _(
                "A register number has 3 to 20 letters and digits (dots, dashes and slashes allowed), "
                "with at least one digit and no spaces."
            ),
            code="invalid_register_number",
        )
    pattern = NUMBER_PATTERN_OF.get(register)
    if pattern is not None and not pattern.match(number):
        raise ValidationError(
            _("A %(register)s number has 3 to 10 digits and nothing else, e.g. 204417.")
            % {"register": Register(register).label},
            code="invalid_register_number",
        )

# What a register asks over that period, where it says so in points (Noloc: 75 PE points per 4 years).
RECERTIFICATION_POINTS = {Register.NOLOC: 75}

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


def register_number_validate(value: str) -> None:
    if not REGISTER_NUMBER_PATTERN.match(register_number_normalise(value)):
        raise ValidationError(
            _(
                "A register number has 3 to 20 letters and digits (dots, dashes and slashes allowed), "
                "with at least one digit and no spaces."
            ),
            code="invalid_register_number",
        )

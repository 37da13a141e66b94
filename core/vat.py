"""VAT identification numbers as the EU writes them (the formats VIES checks): a country prefix and its own
pattern, e.g. NL + 9 digits + B + 2 digits. Only the form is checked here, not whether the number exists."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PATTERNS = {
    "AT": r"U\d{8}", "BE": r"[01]\d{9}", "BG": r"\d{9,10}", "CY": r"\d{8}[A-Z]", "CZ": r"\d{8,10}",
    "DE": r"\d{9}", "DK": r"\d{8}", "EE": r"\d{9}", "EL": r"\d{9}", "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}", "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}", "HR": r"\d{11}", "HU": r"\d{8}",
    "IE": r"\d[A-Z0-9+*]\d{5}[A-Z]{1,2}", "IT": r"\d{11}", "LT": r"\d{9}|\d{12}", "LU": r"\d{8}",
    "LV": r"\d{11}", "MT": r"\d{8}", "NL": r"\d{9}B\d{2}", "PL": r"\d{10}", "PT": r"\d{9}", "RO": r"\d{2,10}",
    "SE": r"\d{12}", "SI": r"\d{8}", "SK": r"\d{10}", "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
}


def vat_id_normalise(value: str) -> str:
    """As the number is printed on invoices: upper case, without spaces, dots or dashes."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def vat_id_validate(value: str) -> None:
    number = vat_id_normalise(value)
    if not number:
        return
    pattern = PATTERNS.get(number[:2])
    if pattern is None:
        raise ValidationError(_("A VAT id starts with the country's code, for example NL001234567B01."),
                              code="vat_country")
    if not re.fullmatch(pattern, number[2:]):
        example = "NL001234567B01" if number[:2] == "NL" else number[:2] + "…"
        raise ValidationError(_("This is not a VAT id of the form %(country)s uses (for example %(example)s).")
                              % {"country": number[:2], "example": example}, code="vat_format")

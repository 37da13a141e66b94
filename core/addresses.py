"""Postal addresses as invoices need them: street and number, postcode, city and country apart (SI-UBL 2.0's
BR-NL-3 and BR-NL-4 ask for each), a Dutch postcode written as PostNL does ("1234 AB"), the country as its ISO
3166 code. Organisations and the employers or businesses that pay for a place keep their address this way."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

NETHERLANDS = "NL"
# The countries a customer of a Dutch training provider comes from; an e-invoice names the country by its code.
COUNTRIES = [(NETHERLANDS, _("Netherlands")), ("BE", _("Belgium")), ("DE", _("Germany")), ("LU", _("Luxembourg")),
             ("FR", _("France")), ("GB", _("United Kingdom")), ("AW", _("Aruba")), ("CW", _("Curaçao")),
             ("SX", _("Sint Maarten"))]
_DUTCH_POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s*([A-Za-z]{2})\s*$")

# A Dutch public body's Organisatie-identificatienummer (Logius): 20 digits. SI-UBL names it with scheme 0190.
oin_validate = RegexValidator(r"^\d{20}$", _("An OIN has 20 digits."))


def postcode_normalise(postcode: str, country: str = NETHERLANDS) -> str:
    """A Dutch postcode as "1234 AB"; another country's as typed (trimmed). Raises ValidationError for a Dutch
    postcode that is not 4 digits and 2 letters."""
    postcode = (postcode or "").strip()
    if country != NETHERLANDS or not postcode:
        return postcode
    match = _DUTCH_POSTCODE.match(postcode)
    if match is None:
        raise ValidationError(_("A Dutch postcode has 4 digits and 2 letters, for example 1234 AB."),
                              code="postcode")
    return f"{match[1]} {match[2].upper()}"


def address_lines(street: str, postcode: str, city: str, country: str = NETHERLANDS) -> list[str]:
    """The address as it is written on an envelope: the country only when it is not the Netherlands."""
    lines = [street.strip(), f"{postcode.strip()} {city.strip()}".strip()]
    if country and country != NETHERLANDS:
        lines.append(str(dict(COUNTRIES).get(country, country)))
    return [line for line in lines if line]


def legacy_address_split(text: str) -> tuple[str, str, str]:
    """(street, postcode, city) from an address typed in one field ("Brugstraat 12\\n3811 AB Amersfoort", or on one
    line with commas). What cannot be told apart stays in the street, for the office to finish."""
    parts = [part.strip() for part in re.split(r"[\n,]+", text or "") if part.strip()]
    for index, part in enumerate(parts):
        match = re.match(r"^([1-9]\d{3})\s*([A-Za-z]{2})\b\s*(.*)$", part)
        if match:
            street = ", ".join(parts[:index])
            city = match[3].strip() or ", ".join(parts[index + 1:])
            if street and city:
                return street, f"{match[1]} {match[2].upper()}", city
    return ", ".join(parts), "", ""

"""Payment references for bank transfers: the structured creditor reference of ISO 11649 ("RF" + two check digits
+ up to 21 letters or digits). Any bank in the SEPA area checks its digits when it is typed, needs no agreement
with the creditor's bank, and hands it back untouched on the statement, so a payment finds its invoice."""

import re

_ALPHANUMERIC = re.compile(r"[^0-9A-Z]")


def _as_number(text: str) -> int:
    """Letters as ISO 7064 counts them: A = 10 … Z = 35, digits as they are."""
    return int("".join(str(int(character, 36)) for character in text))


def creditor_reference(reference: str) -> str:
    """The RF reference for `reference` (its letters and digits; an invoice number "2026-000012" gives
    "RF..2026000012")."""
    body = _ALPHANUMERIC.sub("", reference.upper())
    if not 1 <= len(body) <= 21:
        raise ValueError(f"A creditor reference holds 1 to 21 letters or digits, not {body!r}.")
    return f"RF{98 - _as_number(body + 'RF00') % 97:02d}{body}"


def creditor_reference_valid(text: str) -> bool:
    """Whether `text` (as typed or printed, with spaces) is an RF reference whose check digits hold."""
    reference = _ALPHANUMERIC.sub("", text.upper())
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", reference):
        return False
    return _as_number(reference[4:] + reference[:4]) % 97 == 1

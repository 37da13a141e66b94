"""The one way people type an amount, in the admin and on the site: read in the interface's language, never
scaled silently.

Dutch writes "12,50" and "1.485,00", English "12.50" and "1,485.00"; both take "1485" and a euro sign. What
one language reads as cents the other reads as thousands, so text that only makes sense with the other
language's separators ("12.50" in Dutch), or that could be either ("1.485": thousands or a typo for cents), is
refused with a message that shows what to type, never guessed."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .formats import euro

CENT = Decimal("0.01")
MAX_WHOLE_DIGITS = 12  # a thousand billion euros: far past any amount here, well within Decimal's precision
# The separators people write: (decimal, thousands).
SEPARATORS = {"nl": (",", "."), "en": (".", ",")}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_SIGN = re.compile(r"^(?P<sign>[-\u2212]?)(?P<number>.*)$")


def separators(language: str | None = None) -> tuple[str, str]:
    return SEPARATORS.get((language or get_language() or "nl")[:2], SEPARATORS["nl"])


def _patterns(decimal: str, thousands: str) -> tuple[re.Pattern, re.Pattern]:
    """(an amount written this way, thousands grouped without cents: a number that could be read two ways)."""
    d, t = re.escape(decimal), re.escape(thousands)
    written = re.compile(rf"^(?:\d+|\d{{1,3}}(?:{t}\d{{3}})+)(?:{d}\d{{1,2}})?$")
    grouped_only = re.compile(rf"^\d{{1,3}}(?:{t}\d{{3}})+$")
    return written, grouped_only


def examples(language: str | None = None) -> dict[str, str]:
    decimal, thousands = separators(language)
    return {"cents": f"12{decimal}50", "thousands": f"1{thousands}485{decimal}00"}


class AmountError(ValidationError):
    pass


def parse_amount(text: str, *, language: str | None = None) -> Decimal:
    """The amount a person typed, in euros with at most two digits of cents; AmountError saying what to type
    otherwise. Accepts a euro sign or "EUR", spaces and a leading minus sign."""
    decimal, thousands = separators(language)
    shown = {"typed": str(text).strip()[:30], **examples(language)}
    cleaned = _SPACES.sub("", str(text)).replace("€", "").removeprefix("EUR").removesuffix("EUR")
    match = _SIGN.match(cleaned)
    sign, number = match["sign"], match["number"]
    if not number:
        raise AmountError(_("Type an amount in euros, such as %(cents)s or %(thousands)s.") % shown, code="invalid")
    written, grouped_only = _patterns(decimal, thousands)
    if grouped_only.match(number):
        raise AmountError(_("“%(typed)s” can be read in two ways. Type %(cents)s for twelve euros fifty, or "
                            "%(thousands)s for one thousand four hundred and eighty-five euros.") % shown,
                          code="ambiguous")
    if not written.match(number):
        other_written, _other_grouped = _patterns(thousands, decimal)
        if other_written.match(number) or re.fullmatch(rf"\d+{re.escape(decimal)}\d{{3,}}", number):
            code = "ambiguous" if other_written.match(number) else "cents"
            message = (_("“%(typed)s” can be read in two ways. Type %(cents)s for twelve euros fifty, or "
                         "%(thousands)s for one thousand four hundred and eighty-five euros.") if code == "ambiguous"
                       else _("An amount has at most two digits for the cents, such as %(cents)s."))
            raise AmountError(message % shown, code=code)
        raise AmountError(_("Type an amount in euros, such as %(cents)s or %(thousands)s.") % shown, code="invalid")
    whole, _sep, cents = number.partition(decimal)
    whole = whole.replace(thousands, "")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise AmountError(_("That amount is too large."), code="max_digits")
    return Decimal(f"{sign and '-'}{whole}.{cents or '0'}").quantize(CENT)


def format_amount(amount: Decimal | None, *, language: str | None = None) -> str:
    """An amount as the field shows it for editing: "1485,00" / "1485.00" (no thousands: it reads back alike)."""
    if amount is None or amount == "":
        return ""
    if not isinstance(amount, Decimal):
        try:
            amount = Decimal(str(amount))
        except InvalidOperation:
            return str(amount)  # what the person typed, shown again with its error
    decimal, _thousands = separators(language)
    return f"{amount.quantize(CENT):f}".replace(".", decimal)


class AmountInput(forms.TextInput):
    """A text box (a number box would let the browser read the separators its own way), with the keyboard for
    numbers on a phone."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "class": "amount", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return format_amount(value)
        return super().format_value(value)


class AmountField(forms.Field):
    """An amount in euros as people type it (parse_amount), with its bounds said in euros."""

    widget = AmountInput

    def __init__(self, *, min_value: Decimal | None = None, max_value: Decimal | None = None,
                 max_digits: int = 9, **kwargs):
        kwargs.pop("decimal_places", None)
        kwargs.pop("localize", None)
        self.min_value, self.max_value, self.max_digits = min_value, max_value, max_digits
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value.quantize(CENT)
        return parse_amount(str(value))

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(_("The amount must be at least %(min)s.") % {"min": euro(self.min_value)},
                                  code="min_value")
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(_("The amount can be at most %(max)s.") % {"max": euro(self.max_value)},
                                  code="max_value")
        if len(value.as_tuple().digits) > self.max_digits:
            raise ValidationError(_("That amount is too large."), code="max_digits")

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (Decimal(str(initial)).quantize(CENT) if initial not in
                                            self.empty_values else None)
        except (ValidationError, InvalidOperation):
            return True


class MoneyField(models.DecimalField):
    """A column of euros with cents: edited through AmountField wherever a form shows it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 9)
        kwargs["decimal_places"] = 2
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        bounds = {}
        for validator in self.validators:
            limit = getattr(validator, "limit_value", None)
            if isinstance(limit, Decimal | int) and validator.code == "min_value":
                bounds["min_value"] = Decimal(limit)
            elif isinstance(limit, Decimal | int) and validator.code == "max_value":
                bounds["max_value"] = Decimal(limit)
        return models.Field.formfield(self, **{"form_class": AmountField, "max_digits": self.max_digits,
                                               **bounds, **kwargs})

"""Amounts, hours and days as Dutch and English readers expect them (templates: `{% load formats %}`)."""

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language


def euro(amount: Decimal | None) -> str:
    """An amount as Dutch or English readers expect it: "€ 1.234,50" or "€1,234.50"; a negative one with its sign
    in front, as on the invoices' PDF: "-€ 1.450,00"."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    formatted = number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{sign}€\u00a0{formatted}" if get_language() == "nl" else f"{sign}€{formatted}"


def hours(value: Decimal) -> str:
    """Net hours without a needless ",0": 6 rather than 6,0; 7,5 stays."""
    return number_format(value.normalize() if value == value.to_integral() else value, use_l10n=True)


points = hours  # PE points read the same way: 6, 7,5


def _day_format(with_time: bool) -> str:
    # Dutch writes "di 3 feb 2026": Django's "M" would capitalise the month, "b" does not.
    base = "D j b Y" if get_language() == "nl" else "D j M Y"
    return f"{base}, H:i" if with_time else base


def day(value) -> str:
    """A date as people read it on a course page: "di 3 feb 2026" / "Tue 3 Feb 2026". Takes a moment in time
    (shown in Amsterdam's time) or a calendar date."""
    if not value:
        return ""
    return _written(timezone.localdate(value) if isinstance(value, datetime) else value, get_language())


def day_time(value) -> str:
    """A moment in Amsterdam's time as people read it: "di 3 feb 2026, 09:30" / "Tue 3 Feb 2026, 09:30"."""
    if not value:
        return ""
    return _written(timezone.localtime(value).replace(tzinfo=None), get_language())


@lru_cache(maxsize=4096)
def _written(day_or_wall_clock: date, language: str) -> str:
    """Written once per day (or time on Amsterdam's wall clock) and language in each process: every signed-in page
    shows a few (a fifth of the time Django's date_format takes them is left). A time comes without its zone, which
    the format does not show: two aware moments are equal when they are the same instant anywhere."""
    return date_format(day_or_wall_clock, _day_format(with_time=isinstance(day_or_wall_clock, datetime)))

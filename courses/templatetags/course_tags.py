from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def euro(amount: Decimal | None) -> str:
    """An amount as Dutch or English readers expect it: "€ 1.234,50" or "€1,234.50"."""
    if amount is None:
        return ""
    formatted = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"€\u00a0{formatted}" if get_language() == "nl" else f"€{formatted}"


@register.filter
def hours(value: Decimal) -> str:
    """Net hours without a needless ",0": 6 rather than 6,0; 7,5 stays."""
    return number_format(value.normalize() if value == value.to_integral() else value, use_l10n=True)

"""What a voucher code does to a price, and counting its uses so that they never pass its maximum.

A use is taken with one conditional UPDATE (`uses = uses + n WHERE uses + n <= max_uses`), in the transaction
that takes the seats, so however many people redeem a code at once, its maximum holds (and the database checks
it again). A hold that runs out or is cancelled unpaid gives its use back.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.formats import day

from .models import CENT, CourseDate, Voucher

ZERO = Decimal("0.00")


class VoucherError(Exception):
    """A code that cannot be used here and now; the message says why, for the person who typed it."""


@dataclass(frozen=True)
class Quote:
    """A seat's price: the course's list price, less a voucher's discount."""

    list_price: Decimal
    discount: Decimal = ZERO
    voucher: Voucher | None = None

    @property
    def price(self) -> Decimal:
        return self.list_price - self.discount


def discount_of(voucher: Voucher, price: Decimal) -> Decimal:
    if voucher.kind == Voucher.Kind.PERCENT:
        off = (price * voucher.value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        off = voucher.value
    return min(off, price)


def _check(voucher: Voucher | None, code: str, course_date: CourseDate, now: datetime) -> Voucher:
    if voucher is None or not voucher.active:
        raise VoucherError(_("The code %(code)s is not valid.") % {"code": code.upper()})
    if voucher.valid_from and now < voucher.valid_from:
        raise VoucherError(_("This code is valid from %(day)s.") % {"day": day(voucher.valid_from)})
    if voucher.valid_until and now > voucher.valid_until:
        raise VoucherError(_("This code expired on %(day)s.") % {"day": day(voucher.valid_until)})
    if voucher.early_bird_days is not None:
        until = course_date.starts_at - timedelta(days=voucher.early_bird_days)
        if now > until:
            raise VoucherError(_("This early-bird code was valid until %(day)s for this date.") % {"day": day(until)})
    course_ids = {course.pk for course in voucher.courses.all()}
    if course_ids and course_date.course_id not in course_ids:
        raise VoucherError(_("This code is not valid for this course."))
    if voucher.max_uses is not None and voucher.uses >= voucher.max_uses:
        raise VoucherError(_("This code has been used up."))
    return voucher


def quote(*, course_date: CourseDate, code: str, now: datetime) -> Quote:
    """The price of a seat on the date with `code` (may be empty), or VoucherError. Reads only."""
    list_price = course_date.course.price_incl_vat
    code = code.strip()
    if not code:
        return Quote(list_price)
    voucher = _check(Voucher.objects.filter(code__iexact=code).first(), code, course_date, now)
    return Quote(list_price, discount_of(voucher, list_price), voucher)


def redeem(*, course_date: CourseDate, code: str, seats: int, now: datetime) -> Quote:
    """The quote, with `seats` uses of its code taken (in the caller's transaction); VoucherError when the code
    has fewer uses left, whoever took them a moment ago."""
    offer = quote(course_date=course_date, code=code, now=now)
    if offer.voucher is not None and not uses_take(offer.voucher.pk, seats):
        raise VoucherError(_("This code has been used up."))
    return offer


def uses_take(voucher_id: int, seats: int) -> bool:
    left = Q(max_uses__isnull=True) | Q(max_uses__gte=F("uses") + seats)
    return bool(Voucher.objects.filter(left, pk=voucher_id, active=True).update(uses=F("uses") + seats))


def uses_give_back(voucher_id: int, seats: int) -> None:
    Voucher.objects.filter(pk=voucher_id, uses__gte=seats).update(uses=F("uses") - seats)

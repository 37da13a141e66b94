"""A place changing after it was taken: cancelled (what the course's policy gives back goes back to what it was
paid with, and the person is told how much and when), moved to another date with what was paid and the
coursework done, or, on a date the office called off, its money taken back instead of another date."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from core.tasks import enqueue_with_change
from courses import enrolments, seating
from courses.models import CourseDate, Enrolment
from courses.notifications import send_place_ended
from learning import services as learning
from payments.models import Payment, Refund
from payments.refunds import (
    booking_money_back,
    booking_payment_locked,
    office_words,
    paid_payment_of,
    refund_by_hand,
    refund_request,
    refundable,
)

# Why money goes back, stored with the refund and the credit invoice in the office's language (office_words).
CANCELLED_BY_PARTICIPANT = gettext_lazy("cancelled by the participant")
DATE_CANCELLED = gettext_lazy("the date was called off")
SEAT_CANCELLED = gettext_lazy("seat cancelled by the organisation")


def money_returned(enrolment: Enrolment) -> bool:
    """The one answer to "did this place's money go back": the person took a refund instead of another date,
    or what was paid has been refunded in full (by the policy, by the office in the admin, or at Stripe;
    a refund on its way counts). Such a place cannot be moved to another date."""
    if enrolment.refunded_at is not None:
        return True
    payment = paid_payment_of(enrolment)
    return payment is not None and refundable(payment) <= 0


def place_movable(enrolment: Enrolment, now: datetime) -> bool:
    """Whether the place's page offers "move to another date" (a confirmed place, or one whose date was called
    off, whose money did not go back); place_move decides again on submit."""
    if enrolment.transferred_to_id or not seating.participant_may_change(enrolment, now):
        return False
    if enrolment.status == Enrolment.Status.CONFIRMED:
        return not money_returned(enrolment)
    return (enrolments.transferable_after_date_cancelled(enrolment, enrolment.course_date)
            and not money_returned(enrolment))


@transaction.atomic
def place_move(*, enrolment: Enrolment, to_date: CourseDate, actor=None, by_office: bool = False, reason: str = "",
               now: datetime | None = None) -> Enrolment:
    """Moves a place to another date with what was paid for it and the coursework done: every move goes through
    here. Refused when the money went back. The payments are locked first (as refunds lock them), so a refund and
    a move of the same place happen one after the other, never both."""
    payments = list(Payment.objects.select_for_update().filter(enrolment=enrolment).order_by("pk"))
    enrolment.refresh_from_db(fields=["refunded_at"])
    if money_returned(enrolment):
        raise seating.EnrolmentError(_("The money for this place has been refunded, so it cannot be moved "
                                       "to another date."))
    moved = enrolments.enrolment_transfer(enrolment=enrolment, to_date=to_date, actor=actor, by_office=by_office,
                                          reason=reason, now=now)
    learning.coursework_move(old=enrolment, new=moved)
    for payment in payments:  # the invoices stay as issued; a later cancellation refunds these payments
        payment.enrolment = moved
        payment.save(update_fields=["enrolment"])
    return moved


@transaction.atomic
def place_cancel(*, enrolment: Enrolment, actor=None, note: str = "", by_office: bool = False,
                 now: datetime | None = None) -> seating.Cancellation:
    """A person (or the office) cancels a place: it ends as the courses app decides, what the course's policy
    gives back goes back to what they paid with, and the email says how much, how and when."""
    cancellation = enrolments.enrolment_cancel(enrolment=enrolment, actor=actor, note=note, by_office=by_office,
                                               now=now, person_told_elsewhere=True)
    way = refund_cancelled_place(enrolment=cancellation.enrolment, refund=cancellation.refund, actor=actor)
    place = cancellation.enrolment
    if place.confirmed_at and place.user_id:
        enqueue_with_change(send_place_ended, enrolment_id=place.pk, refund=str(cancellation.refund), refund_way=way)
    return cancellation


def refund_cancelled_place(*, enrolment: Enrolment, refund: Decimal, actor=None) -> str:
    """A person cancelled: the course's policy decided `refund`; it goes back to what they paid with (for a
    booked place: refunded on the booking's payment or credited on its invoice). Returns the way it goes:
    "stripe", "invoice" or "office" (by hand), "" when nothing goes back."""
    if refund <= 0:
        return ""
    if enrolment.booking_id:
        back = booking_money_back(booking_id=enrolment.booking_id, amount=refund,
                                  reason=office_words(CANCELLED_BY_PARTICIPANT), actor=actor)
        return "" if back is None else "stripe" if isinstance(back, Refund) else "invoice"
    payment = paid_payment_of(enrolment)
    if payment is None:
        refund_by_hand(enrolment, refund)
        return "office"
    amount = min(refund, refundable(payment))
    if amount <= 0:  # the office already gave it all back
        return ""
    refund_request(payment=payment, amount=amount, reason=office_words(CANCELLED_BY_PARTICIPANT), actor=actor)
    return "stripe"


@transaction.atomic
def refund_instead_of_another_date(*, enrolment: Enrolment, actor=None) -> bool:
    """The date was called off and the person wants their money back rather than another date. False when the
    place was moved or refunded already."""
    payment = paid_payment_of(enrolment)
    if payment is not None:  # locked before the date, in the same order as place_move and the webhook
        Payment.objects.select_for_update().filter(pk=payment.pk).first()
    elif enrolment.booking_id:
        booking_payment_locked(enrolment.booking_id)
    if not enrolments.date_cancelled_refund_claim(enrolment=enrolment, actor=actor):
        return False
    if payment is not None:
        if refundable(payment) > 0:  # the office may have given it all back already
            refund_request(payment=payment, reason=office_words(DATE_CANCELLED), actor=actor)
    elif enrolment.booking_id:
        booking_money_back(booking_id=enrolment.booking_id, amount=enrolment.price_incl_vat,
                           reason=office_words(DATE_CANCELLED), actor=actor)
    elif enrolment.price_incl_vat:
        refund_by_hand(enrolment, enrolment.price_incl_vat)
    return True


def cancelled_dates_refund(*, now: datetime | None = None) -> int:
    """For the worker: paid places on a called-off date that neither moved nor were refunded within
    DATE_CANCELLED_CHOICE_DAYS are refunded in full."""
    now = now or timezone.now()
    due = Enrolment.objects.filter(
        status=Enrolment.Status.CANCELLED, course_date__status=CourseDate.Status.CANCELLED, confirmed_at__isnull=False,
        refunded_at__isnull=True, transferred_to__isnull=True,
        ended_at__lte=now - timedelta(days=settings.DATE_CANCELLED_CHOICE_DAYS),
    )
    return sum(1 for enrolment in due if refund_instead_of_another_date(enrolment=enrolment))

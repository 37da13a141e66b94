"""What a contact person does with the seats their organisation books: book them (on invoice, confirmed with their
invoice at once, or online, held while one Stripe page is paid for all of them), give each to a person (who
accepts it by email) or to someone else, cancel one with what the policy gives back; and the office's decisions
on a booking whose invoice is overdue."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.audit import record
from core.tasks import enqueue_with_change
from courses import bookings as course_bookings
from courses import seating
from courses.models import Booking, CourseDate, Enrolment, InvoicePayment, SeatInvitation
from payments.checkout import PaymentError
from payments.invoices import booking_credit_issue, booking_invoice_issue
from payments.models import Invoice
from payments.refunds import booking_money_back, booking_payment_locked, office_words
from payments.selectors import balance

from .changes import SEAT_CANCELLED
from .checkout import booking_checkout_start
from .notifications import send_seat_invitation

RELEASED_UNPAID = gettext_lazy("seats freed by the office: the invoice was not paid")
# Where Stripe sends the contact person back to: (success URL, cancel URL) for a booking.
ReturnUrls = Callable[[Booking], tuple[str, str]]


class BookingError(seating.EnrolmentError):
    """A rule that stops a booking or the office's decision on it; the message is for the person who tried."""


@dataclass(frozen=True)
class Booked:
    """The booking, and where it stands: its seats confirmed (on invoice, or free of charge), to be paid on
    Stripe's page (`pay_at`), or held while Stripe cannot be reached (`problem`)."""

    booking: Booking
    pay_at: str = ""
    problem: str = ""


def seats_book(*, course_date: CourseDate, organisation: Organisation, booked_by: User, seats: int,
               reference: str = "", code: str = "", online: bool = False, return_urls: ReturnUrls) -> Booked:
    """Books `seats` seats on the date for the organisation, all or none: on invoice (confirmed, its invoice
    issued) or online (held together for one payment page). Raises EnrolmentError with the reason."""
    if not online:
        return Booked(booking_on_invoice(course_date=course_date, organisation=organisation, booked_by=booked_by,
                                         seats=seats, reference=reference, code=code))
    booking = course_bookings.booking_create(course_date=course_date, organisation=organisation,
                                             booked_by=booked_by, seats=seats, reference=reference, code=code,
                                             online=True)
    return booking_pay(booking=booking, actor=booked_by, return_urls=return_urls)


def booking_pay(*, booking: Booking, actor: User, return_urls: ReturnUrls) -> Booked:
    """Seats held for an online payment go to Stripe's page, all in one Checkout; seats that cost nothing (a
    code that takes the whole price off) are confirmed at once."""
    if booking.price_incl_vat == 0:
        course_bookings.booking_confirm(booking=booking, actor=actor)
        return Booked(booking)
    success_url, cancel_url = return_urls(booking)
    try:
        payment = booking_checkout_start(booking=booking, success_url=success_url, cancel_url=cancel_url)
    except PaymentError as error:
        return Booked(booking, problem=str(error))
    return Booked(booking, pay_at=payment.checkout_url)


@transaction.atomic
def booking_on_invoice(*, course_date: CourseDate, organisation: Organisation, booked_by: User, seats: int,
                       reference: str = "", code: str = "", now: datetime | None = None) -> Booking:
    """Books the seats (all or none, see courses.bookings) and issues their invoice in the same transaction, so
    there is never a booking without its invoice nor an invoice number without a booking. Only an organisation
    the office approved books on invoice: anyone can register one."""
    now = now or timezone.now()
    if course_date.course.invoice_payment == InvoicePayment.NOBODY:
        raise BookingError(_("This course can only be paid online."))
    if not organisation.is_approved:
        raise BookingError(_("Booking on invoice is possible once the office has approved your organisation. You "
                             "can pay online now."))
    booking = course_bookings.booking_create(course_date=course_date, organisation=organisation,
                                             booked_by=booked_by, seats=seats, reference=reference, code=code,
                                             now=now)
    booking_invoice_issue(booking=booking, now=now)
    return booking


@transaction.atomic
def seat_name(*, place: Enrolment, email: str, name: str = "", actor: User) -> SeatInvitation:
    """Gives the seat to the person with this email: an invitation for a seat still free, a swap for a seat
    someone took. They get an email with a link to accept."""
    if place.user_id:
        invitation = course_bookings.seat_swap(place=place, email=email, name=name, actor=actor)
    else:
        invitation = course_bookings.seat_invite(place=place, email=email, name=name, actor=actor)
    enqueue_with_change(send_seat_invitation, invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def seat_cancel(*, place: Enrolment, actor: User | None, now: datetime | None = None) -> Decimal:
    """The contact person cancels a booked seat; what the policy gives back is credited on the invoice, or
    refunded when the booking was paid online. Returns that amount."""
    now = now or timezone.now()
    booking_payment_locked(place.booking_id)  # before the date, as the webhook locks them
    cancellation = course_bookings.seat_cancel(place=place, actor=actor, now=now)
    booking_money_back(booking_id=place.booking_id, amount=cancellation.refund,
                       reason=office_words(SEAT_CANCELLED), actor=actor, now=now)
    return cancellation.refund


@transaction.atomic
def booking_release_unpaid(*, booking: Booking, actor: User | None, now: datetime | None = None) -> int:
    """The office's "vrijgeven": every seat of the overdue booking is freed and what is open is credited."""
    now = now or timezone.now()
    if booking.pays_online:
        raise BookingError(_("This booking was paid online: it has no invoice to be overdue."))
    released = course_bookings.booking_release(booking=booking, actor=actor, now=now)  # the date first
    invoice = Invoice.objects.select_for_update().get(booking=booking, kind=Invoice.Kind.INVOICE)
    standing = balance(invoice)
    if standing.open <= 0:
        raise BookingError(_("This invoice has been paid: its seats stay booked."))  # rolls the release back
    booking_credit_issue(invoice=invoice, amount=standing.open, reason=office_words(RELEASED_UNPAID), now=now)
    return len(released)


@transaction.atomic
def booking_keep_unpaid(*, booking: Booking, actor: User | None, now: datetime | None = None) -> Booking:
    """The office's "laten staan": the seats stay although the invoice is overdue; it leaves the overdue list."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.kept_unpaid_at is None:
        booking.kept_unpaid_at = now
        booking.save(update_fields=["kept_unpaid_at"])
        record(booking, "booking.kept_unpaid", actor=actor, at=now)
    return booking

"""Organisations' bookings paid on invoice, and the bank transfers the office records against invoices."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.audit import record
from core.formats import euro
from core.tasks import enqueue_with_change
from courses import bookings
from courses.models import Booking, CourseDate, Enrolment, InvoicePayment

from .invoices import booking_credit_issue, booking_invoice_issue
from .models import BankTransfer, Invoice, InvoiceReminder
from .notifications import send_payment_reminder
from .selectors import balance, balance_of, with_balances
from .services import SEAT_CANCELLED, booking_money_back, booking_payment_locked, office_words

ZERO = Decimal("0.00")
RELEASED_UNPAID = gettext_lazy("seats freed by the office: the invoice was not paid")


class BookingError(Exception):
    """A rule that stops a booking or a recorded transfer; the message is for the person who tried."""


@transaction.atomic
def booking_on_invoice(*, course_date: CourseDate, organisation: Organisation, booked_by: User, seats: int,
                       reference: str = "", code: str = "", now: datetime | None = None) -> Booking:
    """Books the seats (all or none, see courses.bookings) and issues their invoice in the same transaction, so
    there is never a booking without its invoice nor an invoice number without a booking."""
    now = now or timezone.now()
    if course_date.course.invoice_payment == InvoicePayment.NOBODY:
        raise BookingError(_("This course can only be paid online."))
    if not organisation.is_approved:  # anyone can register an organisation: credit waits for the office
        raise BookingError(_("Booking on invoice is possible once the office has approved your organisation. You "
                             "can pay online now."))
    booking = bookings.booking_create(course_date=course_date, organisation=organisation, booked_by=booked_by,
                                      seats=seats, reference=reference, code=code, now=now)
    booking_invoice_issue(booking=booking, now=now)
    return booking


@transaction.atomic
def own_place_on_invoice(*, course_date: CourseDate, user: User, billing, code: str = "",
                         now: datetime | None = None) -> Enrolment:
    """A person's own place paid on invoice, where the course allows it for individuals; the invoice is issued
    in the same transaction and sent to them (to their employer's or business's details when they gave them)."""
    now = now or timezone.now()
    if course_date.course.invoice_payment != InvoicePayment.EVERYONE:
        raise BookingError(_("This course can only be paid on invoice by organisations."))
    place = bookings.own_place_on_invoice(course_date=course_date, user=user, billing=billing, code=code, now=now)
    booking_invoice_issue(booking=place.booking, now=now)
    return place


def booking_invoice(booking: Booking) -> Invoice:
    return booking.invoices.get(kind=Invoice.Kind.INVOICE)


@transaction.atomic
def bank_transfer_record(*, invoice: Invoice, amount: Decimal, received_on: date, note: str = "",
                         actor: User | None, now: datetime | None = None) -> BankTransfer:
    """Records money received by bank transfer against an invoice paid that way, in full or in part; never more
    than is still open, never on an online payment's invoice."""
    now = now or timezone.now()
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)  # one recorder at a time per invoice
    if invoice.kind != Invoice.Kind.INVOICE or invoice.booking_id is None:
        raise BookingError(_("Only invoices paid by bank transfer take bank transfers."))
    if received_on > timezone.localdate(now):
        raise BookingError(_("The date of the transfer cannot be in the future."))
    standing = balance(invoice)
    if amount <= 0 and not standing.to_pay_back:
        raise BookingError(_("Enter the amount received, more than € 0."))
    if amount < 0 and -amount > standing.to_pay_back:
        raise BookingError(_("Only %(amount)s was paid more than is owed; that is the most to record as paid back.")
                           % {"amount": euro(standing.to_pay_back)})
    if amount == 0 or (amount > 0 and standing.open <= 0):
        raise BookingError(_("Nothing is open on this invoice. Enter money paid back as a negative amount.")
                           if standing.to_pay_back else _("Enter the amount received, more than € 0."))
    if amount > standing.open:
        raise BookingError(_("That is more than is still open on this invoice (%(open)s).")
                           % {"open": euro(standing.open)})
    transfer = BankTransfer.objects.create(invoice=invoice, amount=amount, received_on=received_on, note=note.strip(),
                                           recorded_by=actor, recorded_at=now)
    record(invoice, "invoice.bank_transfer", actor=actor, at=now, note=f"{euro(amount)} · {received_on:%d-%m-%Y}")
    return transfer


@transaction.atomic
def invoice_credit(*, invoice: Invoice, amount: Decimal, reason: str, actor: User | None,
                   now: datetime | None = None) -> Invoice:
    """The office credits part of an invoice paid by bank transfer (goodwill, a correction), with the reason the
    customer reads; never more than is left of it after earlier credits. Money paid already beyond what is then
    owed, the office pays back by hand (a negative bank transfer)."""
    now = now or timezone.now()
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.booking_id is None:
        raise BookingError(_("Only invoices paid by bank transfer are credited here; an online payment is refunded "
                             "instead."))
    if not reason.strip():
        raise BookingError(_("Give the reason the customer reads on the credit invoice."))
    left = balance(invoice).total
    if not 0 < amount <= left:
        raise BookingError(_("Between %(min)s and %(left)s can be credited on this invoice.")
                           % {"min": euro(Decimal("0.01")), "left": euro(left)})
    credit = booking_credit_issue(invoice=invoice, amount=amount, reason=reason.strip(), now=now)
    record(invoice, "invoice.credited", actor=actor, at=now, note=f"{euro(amount)}: {reason.strip()}"[:250])
    return credit


@transaction.atomic
def booking_seat_cancel(*, place: Enrolment, actor: User | None, now: datetime | None = None) -> Decimal:
    """The contact person cancels a booked seat; what the policy gives back is credited on the invoice, or
    refunded when the booking was paid online. Returns that amount."""
    now = now or timezone.now()
    booking_payment_locked(place.booking_id)  # before the date, as the webhook locks them
    cancellation = bookings.seat_cancel(place=place, actor=actor, now=now)
    booking_money_back(booking_id=place.booking_id, amount=cancellation.refund,
                       reason=office_words(SEAT_CANCELLED), actor=actor, now=now)
    return cancellation.refund


def overdue_invoices(now: datetime):
    """Booking invoices past their due date with money open, which the office has not decided to keep; each
    with `balance`. For the office's list."""
    invoices = with_balances(
        Invoice.objects.filter(kind=Invoice.Kind.INVOICE, booking__isnull=False, due_at__lt=now,
                               booking__kept_unpaid_at__isnull=True)
        .select_related("booking__organisation", "booking__course_date__course", "booking__booked_by")
        .order_by("due_at"))
    overdue = []
    for invoice in invoices:  # one query, whatever the number of invoices
        invoice.balance = balance_of(invoice)
        if invoice.balance.open > 0:
            overdue.append(invoice)
    return overdue


@transaction.atomic
def booking_release_unpaid(*, booking: Booking, actor: User | None, now: datetime | None = None) -> int:
    """The office's "vrijgeven": every seat of the overdue booking is freed and what is open is credited."""
    now = now or timezone.now()
    if booking.pays_online:
        raise BookingError(_("This booking was paid online: it has no invoice to be overdue."))
    released = bookings.booking_release(booking=booking, actor=actor, now=now)  # the date first, as everywhere
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


REMIND_BEFORE = timedelta(days=3)


def payment_reminders_send(*, now: datetime | None = None) -> int:
    """Reminds the organisation once 3 days before an invoice is due and once after, while money is open. Each
    reminder is claimed by a unique row, so two workers never send the same one. For the scheduler."""
    now = now or timezone.now()
    due = with_balances(Invoice.objects.filter(kind=Invoice.Kind.INVOICE, booking__isnull=False,
                                               due_at__lte=now + REMIND_BEFORE, booking__kept_unpaid_at__isnull=True)
                        .exclude(reminders__kind=InvoiceReminder.Kind.AFTER))
    sent = 0
    for invoice in due:
        if balance_of(invoice).open <= 0:
            continue
        kind = InvoiceReminder.Kind.AFTER if now > invoice.due_at else InvoiceReminder.Kind.BEFORE
        try:
            with transaction.atomic():
                InvoiceReminder.objects.create(invoice=invoice, kind=kind, sent_at=now)
                enqueue_with_change(send_payment_reminder, invoice_id=invoice.pk, kind=kind)
        except IntegrityError:
            continue  # sent already
        sent += 1
    return sent

"""Organisations' bookings paid on invoice, and the bank transfers the office records against invoices."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.audit import record
from core.formats import euro
from courses import bookings
from courses.models import Booking, CourseDate, InvoicePayment

from .invoices import booking_invoice_issue
from .models import BankTransfer, Invoice

ZERO = Decimal("0.00")


class BookingError(Exception):
    """A rule that stops a booking or a recorded transfer; the message is for the person who tried."""


@transaction.atomic
def booking_on_invoice(*, course_date: CourseDate, organisation: Organisation, booked_by: User, seats: int,
                       reference: str = "", now: datetime | None = None) -> Booking:
    """Books the seats (all or none, see courses.bookings) and issues their invoice in the same transaction, so
    there is never a booking without its invoice nor an invoice number without a booking."""
    now = now or timezone.now()
    if course_date.course.invoice_payment == InvoicePayment.NOBODY:
        raise BookingError(_("This course can only be paid online."))
    booking = bookings.booking_create(course_date=course_date, organisation=organisation, booked_by=booked_by,
                                      seats=seats, reference=reference, now=now)
    booking_invoice_issue(booking=booking, now=now)
    return booking


@dataclass(frozen=True)
class Balance:
    total: Decimal
    received: Decimal
    due_at: datetime | None

    @property
    def open(self) -> Decimal:
        return self.total - self.received

    @property
    def is_paid(self) -> bool:
        return self.received >= self.total

    def is_overdue(self, now: datetime) -> bool:
        return not self.is_paid and self.due_at is not None and now > self.due_at


def balance(invoice: Invoice) -> Balance:
    received = invoice.bank_transfers.aggregate(total=Sum("amount"))["total"] or ZERO
    return Balance(total=invoice.total, received=received, due_at=invoice.due_at)


@transaction.atomic
def bank_transfer_record(*, invoice: Invoice, amount: Decimal, received_on: date, note: str = "",
                         actor: User | None, now: datetime | None = None) -> BankTransfer:
    """Records money received by bank transfer against an invoice paid that way, in full or in part; never more
    than is still open, never on an online payment's invoice."""
    now = now or timezone.now()
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)  # one recorder at a time per invoice
    if invoice.kind != Invoice.Kind.INVOICE or invoice.booking_id is None:
        raise BookingError(_("Only invoices paid by bank transfer take bank transfers."))
    if amount <= 0:
        raise BookingError(_("Enter the amount received, more than € 0."))
    if received_on > timezone.localdate(now):
        raise BookingError(_("The date of the transfer cannot be in the future."))
    still_open = balance(invoice).open
    if amount > still_open:
        raise BookingError(_("That is more than is still open on this invoice (%(open)s).")
                           % {"open": euro(still_open)})
    transfer = BankTransfer.objects.create(invoice=invoice, amount=amount, received_on=received_on, note=note.strip(),
                                           recorded_by=actor, recorded_at=now)
    record(invoice, "invoice.bank_transfer", actor=actor, at=now, note=f"{euro(amount)} · {received_on:%d-%m-%Y}")
    return transfer

"""Invoices paid by bank transfer: the transfers the office records against them, the credits it makes, the
overdue list and the payment reminders."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.audit import record
from core.formats import euro
from core.tasks import enqueue_with_change
from courses.models import Booking

from .invoices import booking_credit_issue
from .models import BankTransfer, Invoice, InvoiceReminder
from .notifications import send_payment_reminder
from .selectors import balance, balance_of, with_balances

ZERO = Decimal("0.00")


class InvoiceError(Exception):
    """A rule that stops a recorded transfer or a credit; the message is for the person who tried."""


def booking_invoice(booking: Booking) -> Invoice:
    return booking.invoices.get(kind=Invoice.Kind.INVOICE)


@transaction.atomic
def bank_transfer_record(*, invoice: Invoice, amount: Decimal, received_on: date, note: str = "",
                         actor: User | None, now: datetime | None = None, bank_line=None) -> BankTransfer:
    """Records money received by bank transfer against an invoice paid that way, in full or in part; never more
    than is still open, never on an online payment's invoice."""
    now = now or timezone.now()
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)  # one recorder at a time per invoice
    if invoice.kind != Invoice.Kind.INVOICE or invoice.booking_id is None:
        raise InvoiceError(_("Only invoices paid by bank transfer take bank transfers."))
    if received_on > timezone.localdate(now):
        raise InvoiceError(_("The date of the transfer cannot be in the future."))
    standing = balance(invoice)
    if amount <= 0 and not standing.to_pay_back:
        raise InvoiceError(_("Enter the amount received, more than € 0."))
    if amount < 0 and -amount > standing.to_pay_back:
        raise InvoiceError(_("Only %(amount)s was paid more than is owed; that is the most to record as paid back.")
                           % {"amount": euro(standing.to_pay_back)})
    if amount == 0 or (amount > 0 and standing.open <= 0):
        raise InvoiceError(_("Nothing is open on this invoice. Enter money paid back as a negative amount.")
                           if standing.to_pay_back else _("Enter the amount received, more than € 0."))
    if amount > standing.open:
        raise InvoiceError(_("That is more than is still open on this invoice (%(open)s).")
                           % {"open": euro(standing.open)})
    transfer = BankTransfer.objects.create(invoice=invoice, amount=amount, received_on=received_on, note=note.strip(),
                                           recorded_by=actor, recorded_at=now, bank_line=bank_line)
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
        raise InvoiceError(_("Only invoices paid by bank transfer are credited here; an online payment is refunded "
                             "instead."))
    if not reason.strip():
        raise InvoiceError(_("Give the reason the customer reads on the credit invoice."))
    left = balance(invoice).total
    if not 0 < amount <= left:
        raise InvoiceError(_("Between %(min)s and %(left)s can be credited on this invoice.")
                           % {"min": euro(Decimal("0.01")), "left": euro(left)})
    credit = booking_credit_issue(invoice=invoice, amount=amount, reason=reason.strip(), now=now)
    record(invoice, "invoice.credited", actor=actor, at=now, note=f"{euro(amount)}: {reason.strip()}"[:250])
    return credit


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

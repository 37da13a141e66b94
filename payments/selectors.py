"""Reading payments for other parts of the site."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.formats import euro
from courses.models import Enrolment

from .models import Invoice, Payment, Refund

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PaymentState:
    """Where a place's money stands: what was paid and refunded, and a line that says it."""

    key: str  # paid, partly_refunded, refunded, processing, open, free, not_online, invoice_* or none
    paid: Decimal = ZERO
    refunded: Decimal = ZERO

    @property
    def label(self) -> str:
        labels = {
            "paid": _("Paid %(paid)s"),
            "partly_refunded": _("Paid %(paid)s, %(refunded)s refunded"),
            "refunded": _("Refunded %(refunded)s"),
            "processing": _("Payment being processed"),
            "open": _("Waiting for payment"),
            "free": _("Free"),
            "not_online": _("Not paid online"),
            "invoice_open": _("Invoice open"),
            "invoice_overdue": _("Invoice overdue"),
            "invoice_partly_paid": _("Partly paid by bank"),
            "paid_by_bank": _("Paid by bank"),
            "none": "",
        }
        return str(labels[self.key]) % {"paid": euro(self.paid), "refunded": euro(self.refunded)}


def payment_states(enrolments: Iterable[Enrolment], *, now: datetime) -> dict[int, PaymentState]:
    """Each place's PaymentState, by enrolment id, in one query whatever the number of places. A refund
    counts from the moment it is decided (pending or done); a failed one does not."""
    enrolments = list(enrolments)
    payments = (
        Payment.objects.filter(enrolment__in=[enrolment.pk for enrolment in enrolments])
        .annotate(refunded=Coalesce(Sum("refunds__amount", filter=~Q(refunds__status=Refund.Status.FAILED)),
                                    Value(ZERO), output_field=DecimalField()))
        .values_list("enrolment_id", "status", "amount", "refunded", "expires_at")
    )
    by_place: dict[int, list[tuple]] = {}
    for enrolment_id, *payment in payments:
        by_place.setdefault(enrolment_id, []).append(payment)
    invoices = _booking_invoices({enrolment.booking_id for enrolment in enrolments if enrolment.booking_id})
    return {enrolment.pk: _booked_state(enrolment, invoices.get(enrolment.booking_id), now) if enrolment.booking_id
            else _state(enrolment, by_place.get(enrolment.pk, []), now) for enrolment in enrolments}


def _booking_invoices(booking_ids: set[int]) -> dict[int, tuple]:
    """(total, received, due) of each booking's invoice, in one query."""
    if not booking_ids:
        return {}
    rows = (Invoice.objects.filter(booking__in=booking_ids, kind=Invoice.Kind.INVOICE)
            .annotate(received=Coalesce(Sum("bank_transfers__amount"), Value(ZERO), output_field=DecimalField()))
            .values_list("booking_id", "total", "received", "due_at"))
    return {booking_id: (total, received, due_at) for booking_id, total, received, due_at in rows}


def _booked_state(enrolment: Enrolment, invoice: tuple | None, now: datetime) -> PaymentState:
    if invoice is None:
        return PaymentState("none")
    total, received, due_at = invoice
    if received >= total:
        return PaymentState("paid_by_bank", paid=received)
    if received > 0:
        return PaymentState("invoice_partly_paid", paid=received)
    return PaymentState("invoice_overdue" if due_at and now > due_at else "invoice_open")


def _state(enrolment: Enrolment, payments: list[tuple], now: datetime) -> PaymentState:
    paid = sum((amount for status, amount, _, _ in payments if status == Payment.Status.PAID), ZERO)
    refunded = sum((refunded for status, _, refunded, _ in payments if status == Payment.Status.PAID), ZERO)
    statuses = {status for status, _, _, expires_at in payments
                if status != Payment.Status.OPEN or expires_at > now}
    if paid:
        key = "refunded" if refunded >= paid else "partly_refunded" if refunded else "paid"
        return PaymentState(key, paid, refunded)
    if Payment.Status.PROCESSING in statuses:
        return PaymentState("processing")
    if Payment.Status.OPEN in statuses:
        return PaymentState("open")
    if enrolment.status == Enrolment.Status.CONFIRMED:
        return PaymentState("free" if enrolment.price_incl_vat == 0 else "not_online")
    return PaymentState("none")

"""Reading payments for other parts of the site."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.compiled import CompiledRead
from core.formats import euro
from courses.models import Enrolment

from .models import BankTransfer, Invoice, Payment, Refund

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
    booking_ids = {enrolment.booking_id for enrolment in enrolments if enrolment.booking_id}
    payments = (
        Payment.objects.filter(Q(enrolment__in=[enrolment.pk for enrolment in enrolments])
                               | Q(booking__in=booking_ids))
        .annotate(refunded=Coalesce(Sum("refunds__amount", filter=~Q(refunds__status=Refund.Status.FAILED)),
                                    Value(ZERO), output_field=DecimalField()))
        .values_list("enrolment_id", "booking_id", "status", "amount", "refunded", "expires_at")
    )
    by_place: dict[int, list[tuple]] = {}
    by_booking: dict[int, list[tuple]] = {}
    for enrolment_id, booking_id, *payment in payments:
        (by_booking.setdefault(booking_id, []) if booking_id else by_place.setdefault(enrolment_id, [])).append(
            payment)
    invoices = _booking_invoices(booking_ids - set(by_booking))
    states = {}
    for enrolment in enrolments:
        if enrolment.booking_id in by_booking:
            states[enrolment.pk] = _booked_online_state(enrolment, by_booking[enrolment.booking_id], now)
        elif enrolment.booking_id:
            states[enrolment.pk] = _booked_state(enrolment, invoices.get(enrolment.booking_id), now)
        else:
            states[enrolment.pk] = _state(enrolment, by_place.get(enrolment.pk, []), now)
    return states


def _own_invoice_paths(place_ids) -> tuple[QuerySet[Invoice], QuerySet[Invoice]]:
    """A person's own invoices of these places, each with its `place_id`: those paid online, and those booked for
    themselves (an organisation's invoice is the organisation's). Two queries to unite: each finds its invoices
    through its own indexes, where one OR across both joins (or subqueries) reads every invoice."""
    paid = Invoice.objects.filter(payment__enrolment__in=place_ids).annotate(place_id=F("payment__enrolment_id"))
    booked = (Invoice.objects.filter(booking__places__in=place_ids, booking__organisation__isnull=True)
              .annotate(place_id=F("booking__places__id")))
    return paid.order_by(), booked.order_by()  # a union is ordered as a whole


def own_invoices(place_ids) -> QuerySet[Invoice]:
    """The person's own invoices of these places, as a queryset to order and annotate further."""
    paid, booked = _own_invoice_paths(place_ids)
    return Invoice.objects.filter(pk__in=paid.values("pk").union(booked.values("pk")))


def own_invoices_by_place(place_ids) -> dict[int, list[Invoice]]:
    """The person's own invoices of these places by place id, oldest first, in one query: their number and kind,
    for a link to each (a list of places shows them; the whole invoice row is wide)."""
    found = {}
    for invoice in _own_invoices_of_places(list(place_ids)):
        found.setdefault(invoice.place_id, []).append(invoice)
    return found


def _own_invoice_links(place_ids: list[int]) -> QuerySet[Invoice]:
    paid, booked = (path.only("number", "kind", "year", "sequence") for path in _own_invoice_paths(place_ids))
    return paid.union(booked, all=True).order_by("year", "sequence")  # an invoice has one or the other


_own_invoices_of_places = CompiledRead(_own_invoice_links)  # on "Mijn opleidingen", for every signed-in person


def with_balances(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Booking invoices with `received` (bank transfers, less money paid back) and `credited` (their credit
    invoices, negative), each from its own subquery so neither multiplies the other."""
    transfers = BankTransfer.objects.filter(invoice=OuterRef("pk")).values("invoice").annotate(
        total=Sum("amount")).values("total")
    credits = Invoice.objects.filter(credits=OuterRef("pk")).values("credits").annotate(
        total=Sum("total")).values("total")
    return invoices.annotate(
        received=Coalesce(Subquery(transfers, output_field=DecimalField()), Value(ZERO), output_field=DecimalField()),
        credited=Coalesce(Subquery(credits, output_field=DecimalField()), Value(ZERO), output_field=DecimalField()),
    )


class InvoiceState(TextChoices):
    OPEN = "open", _("Open")
    PARTLY_PAID = "partly", _("Partly paid")
    OVERDUE = "overdue", _("Overdue")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Credited")
    CREDIT = "credit", _("Credit invoice")


def with_states(invoices: QuerySet[Invoice], now: datetime | None = None) -> QuerySet[Invoice]:
    """Invoices with `state` (InvoiceState) and `open_amount` (what is still to be paid), computed in the query so
    a listing filters and pages by them: an invoice paid online is paid; one paid by transfer is open, partly
    paid or overdue until what arrived covers what it asks after its credit invoices; a credit invoice is one."""
    now = now or timezone.now()
    asks = F("total") + F("credited")
    return with_balances(invoices).annotate(
        open_amount=Case(When(Q(kind=Invoice.Kind.CREDIT) | Q(booking__isnull=True), then=Value(ZERO)),
                         default=asks - F("received"), output_field=DecimalField()),
        state=Case(
            When(kind=Invoice.Kind.CREDIT, then=Value(InvoiceState.CREDIT)),
            When(total__lte=-F("credited"), then=Value(InvoiceState.CREDITED)),
            When(Q(booking__isnull=True) | Q(received__gte=asks), then=Value(InvoiceState.PAID)),
            When(due_at__lt=now, then=Value(InvoiceState.OVERDUE)),
            When(received__gt=0, then=Value(InvoiceState.PARTLY_PAID)),
            default=Value(InvoiceState.OPEN), output_field=CharField()))


def balance_of(invoice: Invoice) -> "Balance":
    """The Balance of an invoice from with_balances."""
    return Balance(total=invoice.total + invoice.credited, received=invoice.received, due_at=invoice.due_at)


def _booking_invoices(booking_ids: set[int]) -> dict[int, "Balance"]:
    """The Balance of each booking's invoice, in one query."""
    if not booking_ids:
        return {}
    invoices = with_balances(Invoice.objects.filter(booking__in=booking_ids, kind=Invoice.Kind.INVOICE))
    return {invoice.booking_id: balance_of(invoice) for invoice in invoices}


def _booked_state(enrolment: Enrolment, standing: "Balance | None", now: datetime) -> PaymentState:
    if standing is None:
        return PaymentState("none")
    if standing.is_paid:
        return PaymentState("paid_by_bank", paid=standing.received)
    if standing.received > 0:
        return PaymentState("invoice_partly_paid", paid=standing.received)
    return PaymentState("invoice_overdue" if standing.is_overdue(now) else "invoice_open")


def _booked_online_state(enrolment: Enrolment, payments: list[tuple], now: datetime) -> PaymentState:
    """A seat of a booking paid online: paid with the booking (its share of the one payment), or not yet."""
    if any(status == Payment.Status.PAID for status, *_rest in payments):
        return PaymentState("paid", paid=enrolment.price_incl_vat)
    return _state(enrolment, payments, now)


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


@dataclass(frozen=True)
class Balance:
    """Where a booking's invoice stands: its total less its credit invoices, and what arrived by bank less what
    the office paid back."""

    total: Decimal
    received: Decimal
    due_at: datetime | None

    @property
    def open(self) -> Decimal:
        return self.total - self.received

    @property
    def is_paid(self) -> bool:
        return self.received >= self.total

    @property
    def to_pay_back(self) -> Decimal:
        return max(self.received - self.total, ZERO)

    def is_overdue(self, now: datetime) -> bool:
        return self.open > 0 and self.due_at is not None and now > self.due_at


def balance(invoice: Invoice) -> Balance:
    """The Balance of one invoice, read afresh (one query)."""
    return balance_of(with_balances(Invoice.objects.filter(pk=invoice.pk)).get())


def with_refunded(payments: QuerySet[Payment], *, counting_pending: bool = False) -> QuerySet[Payment]:
    """Payments with `refunded_amount`: what went back on each (None for nothing); with `counting_pending`, also
    what is on its way back (what can no longer be refunded)."""
    counted = ~Q(status=Refund.Status.FAILED) if counting_pending else Q(status=Refund.Status.SUCCEEDED)
    # A subquery, not a join and GROUP BY: a listing pages first, and sums only the payments on its page.
    refunded = (Refund.objects.filter(counted, payment=OuterRef("pk")).order_by().values("payment")
                .annotate(total=Sum("amount")).values("total"))
    return payments.annotate(refunded_amount=Subquery(refunded))

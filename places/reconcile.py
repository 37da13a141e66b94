"""Repairs what missed webhooks and lost tasks left undone, by asking Stripe: sessions applied as their events
would have been, refunds recorded and sent, invoices issued. Safe to run any time and beside the webhook: every
step only makes the transitions the state allows. `manage.py stripe_reconcile`, and every five minutes."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from courses.models import Booking, Enrolment
from payments import checkout
from payments.invoices import invoice_issue
from payments.models import Payment
from payments.refunds import refunds_reconcile

from .stripe_events import session_apply


def reconcile(*, since: datetime | None = None, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    since = since or now - timedelta(days=3)
    applied = {"sessions": 0, "refunds_recorded": 0, "refunds_sent": 0, "invoices_issued": 0}
    for session in checkout.sessions_since(since):
        outcome = session_apply(session)
        applied["sessions"] += outcome not in ("open", "not ours", "already paid") and not outcome.startswith("left ")
    applied.update(refunds_reconcile(since=since, now=now))
    for payment in uninvoiced_payments():
        invoice_issue(payment=payment)
        applied["invoices_issued"] += 1
    return applied


def uninvoiced_payments():
    """Paid places without their invoice (its task was lost): the reconciliation issues them."""
    confirmed = Q(enrolment__status=Enrolment.Status.CONFIRMED) | Q(
        booking__places__status=Enrolment.Status.CONFIRMED, booking__payment_method=Booking.PaymentMethod.ONLINE)
    return (Payment.objects.filter(confirmed, status=Payment.Status.PAID).exclude(invoices__kind="invoice")
            .exclude(note__startswith=Payment.REFUNDED_WHOLE).distinct()
            .select_related("enrolment__course_date__course", "enrolment__user", "booking__course_date__course"))

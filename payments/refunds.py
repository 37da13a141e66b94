"""Money going back: a refund is decided under the payment's lock, asked of Stripe by a task after the commit
(its id the idempotency key), settled by Stripe's answer (with its credit invoice), and refunds made in Stripe's
dashboard are recorded too. Money back for a booking goes to what it was paid with: refunded on its online
payment, or credited on its invoice."""

import logging
from datetime import datetime, timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from core.audit import record
from core.formats import euro
from core.tasks import enqueue_with_change
from courses.models import Enrolment

from .checkout import PaymentError, cents, stripe_client
from .invoices import credit_invoice_issue, credit_on_invoice
from .models import Invoice, Payment, Refund
from .notifications import send_manual_refund_due

log = logging.getLogger(__name__)
Status = Payment.Status
MADE_AT_STRIPE = gettext_lazy("refunded in Stripe's dashboard (%(reason)s)")


def office_words(message) -> str:
    """A message in the site's language, the office's: for reasons kept with a record, whoever set them off."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message)


def refundable(payment: Payment) -> Decimal:
    given_back = sum((refund.amount for refund in payment.refunds.exclude(status=Refund.Status.FAILED)), Decimal(0))
    return payment.amount - given_back


@transaction.atomic
def refund_request(*, payment: Payment, amount: Decimal | None = None, reason: str,
                   actor=None) -> Refund:
    """Decides a refund (all that is left by default) and has a task ask Stripe for it after the commit.
    Under a lock on the payment, so two refunds together never give back more than was paid."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Status.PAID:
        raise PaymentError(_("Only a paid payment can be refunded."))
    left = refundable(payment)
    amount = left if amount is None else amount
    if not Decimal("0.01") <= amount <= left:
        raise PaymentError(_("At most %(left)s can be refunded.") % {"left": euro(left)})
    refund = Refund.objects.create(payment=payment, amount=amount, reason=reason[:255], requested_by=actor)
    record(refund, "refund.requested", actor=actor, note=f"{euro(amount)}: {reason}")
    enqueue_with_change(send_refund, refund_id=refund.pk)
    return refund


def refund_send(*, refund: Refund) -> Refund:
    """Asks Stripe for a pending refund. Safe to repeat: the refund's id is the idempotency key. A network
    failure leaves it pending for the reconciliation to retry; a refusal marks it failed."""
    if refund.status != Refund.Status.PENDING:
        return refund
    payment = refund.payment
    try:
        result = stripe_client().v1.refunds.create(
            params={"payment_intent": payment.payment_intent_id, "amount": cents(refund.amount),
                    "metadata": {"refund": str(refund.pk), **_paid_for(payment)}},
            options={"idempotency_key": f"refund-{refund.pk}"},
        )
    except stripe.InvalidRequestError as error:
        log.error("Stripe refused refund %s: %s", refund.pk, error)
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED, failure_reason=stripes_words(error)[:255])
    except stripe.StripeError as error:
        log.warning("Refund %s could not reach Stripe; the reconciliation retries it: %s", refund.pk, error)
    else:
        _refund_settled(refund.pk, result.id, result.status)
    refund.refresh_from_db()
    return refund


def stripes_words(error: stripe.StripeError) -> str:
    """What Stripe said, without the request id in front."""
    said = getattr(error, "error", None)
    return getattr(said, "message", None) or error.user_message or str(error)


def _paid_for(payment: Payment) -> dict:
    return {"booking": str(payment.booking_id)} if payment.booking_id else {"enrolment": str(payment.enrolment_id)}


def refund_retry(*, refund: Refund, actor=None) -> Refund:
    """Asks again for a refund Stripe refused (the payment method was fixed, the balance topped up): a new
    refund of the same amount and reason, so the failed one stays on record as it happened."""
    if refund.status != Refund.Status.FAILED:
        raise PaymentError(_("Only a refund that failed can be tried again."))
    return refund_request(payment=refund.payment, amount=refund.amount, reason=refund.reason, actor=actor)


@task()
def send_refund(*, refund_id: int) -> str:
    """Asks Stripe for a decided refund, after the transaction that decided it has committed."""
    return refund_send(refund=Refund.objects.select_related("payment").get(pk=refund_id)).status


@transaction.atomic
def _refund_settled(refund_id: int, stripe_refund_id: str, stripe_status: str) -> None:
    """Applies Stripe's word on one of our refunds; a refund that succeeds gets its credit invoice."""
    status = {"succeeded": Refund.Status.SUCCEEDED, "failed": Refund.Status.FAILED,
              "canceled": Refund.Status.FAILED}.get(stripe_status, Refund.Status.PENDING)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status == Refund.Status.SUCCEEDED:
        return
    refund.stripe_refund_id, refund.status = stripe_refund_id, status
    refund.refunded_at = timezone.now() if status == Refund.Status.SUCCEEDED else None
    refund.save(update_fields=["stripe_refund_id", "status", "refunded_at"])
    if status != Refund.Status.PENDING:
        record(refund, f"refund.{status}", note=stripe_refund_id)
    if status == Refund.Status.SUCCEEDED:
        credit_invoice_issue(refund=refund)


def refunds_sync(payment: Payment) -> int:
    """Records what Stripe knows about this payment's refunds: settles ours, adds those made elsewhere. Asks
    Stripe first, outside any transaction; then records the answer in one short transaction."""
    found = [refund.to_dict() for refund in stripe_client().v1.refunds.list(
        params={"payment_intent": payment.payment_intent_id, "limit": 100}).auto_paging_iter()]
    return _refunds_record(payment.pk, found)


@transaction.atomic
def _refunds_record(payment_id: int, found: list[dict]) -> int:
    payment = Payment.objects.select_for_update().get(pk=payment_id)  # as refund_request and transfers lock it
    recorded = 0
    for refund_at_stripe in found:
        ours = (refund_at_stripe.get("metadata") or {}).get("refund")
        if ours and Refund.objects.filter(pk=ours, payment=payment).exists():
            _refund_settled(int(ours), refund_at_stripe["id"], refund_at_stripe["status"])
        elif not Refund.objects.filter(stripe_refund_id=refund_at_stripe["id"]).exists():
            succeeded = refund_at_stripe["status"] == "succeeded"
            refund = Refund.objects.create(
                payment=payment, amount=Decimal(refund_at_stripe["amount"]) / 100,
                stripe_refund_id=refund_at_stripe["id"],
                reason=office_words(MADE_AT_STRIPE) % {"reason": refund_at_stripe.get("reason") or "—"},
                status=Refund.Status.SUCCEEDED if succeeded else Refund.Status.PENDING,
                refunded_at=timezone.now() if succeeded else None)
            record(refund, "refund.made_at_stripe", note=f"{euro(refund.amount)}: {refund.reason}")
            if succeeded:
                credit_invoice_issue(refund=refund)
            recorded += 1
    return recorded


@task()
def sync_refunds(*, payment_id: int) -> int:
    return refunds_sync(Payment.objects.get(pk=payment_id))


def refunds_reconcile(*, since: datetime, now: datetime) -> dict[str, int]:
    """What missed webhooks and lost tasks left undone about refunds: refunds made at Stripe recorded, ours still
    waiting to reach Stripe sent."""
    intents = {refund.payment_intent for refund in stripe_client().v1.refunds.list(
        params={"created": {"gte": int(since.timestamp())}, "limit": 100}).auto_paging_iter()}
    recorded = sum(refunds_sync(payment) for payment in Payment.objects.filter(payment_intent_id__in=intents))
    sent = sum(refund_send(refund=refund).status == Refund.Status.SUCCEEDED for refund in Refund.objects.filter(
        status=Refund.Status.PENDING, stripe_refund_id__isnull=True, created_at__lte=now - timedelta(minutes=1),
    ).select_related("payment"))
    return {"refunds_recorded": recorded, "refunds_sent": sent}


def paid_payment_of(enrolment: Enrolment) -> Payment | None:
    return enrolment.payments.filter(status=Status.PAID).order_by("-paid_at").first()


def booking_payment_locked(booking_id: int) -> Payment | None:
    """The online payment that paid for a booking, locked (before its date, as the webhook locks them); None
    for a booking on invoice."""
    return (Payment.objects.select_for_update().filter(booking_id=booking_id, status=Status.PAID)
            .order_by("paid_at").first())


def booking_money_back(*, booking_id: int, amount: Decimal, reason: str, actor=None,
                       now: datetime | None = None) -> Refund | Invoice | None:
    """Money back for seats of a booking, to what it was paid with: refunded on its online payment (its credit
    invoice follows the refund), or credited on its invoice."""
    if amount <= 0:
        return None
    payment = booking_payment_locked(booking_id)
    if payment is None:
        return credit_on_invoice(booking_id=booking_id, amount=amount, reason=reason, now=now)
    amount = min(amount, refundable(payment))
    return refund_request(payment=payment, amount=amount, reason=reason, actor=actor) if amount > 0 else None


def refund_by_hand(enrolment: Enrolment, amount: Decimal) -> None:
    """The place was paid some other way (a bank transfer on an invoice): the office is asked to pay it back."""
    enqueue_with_change(send_manual_refund_due, enrolment_id=enrolment.pk, amount=str(amount))

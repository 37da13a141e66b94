"""Paying for a held seat through Stripe Checkout, and applying what Stripe tells us.

The webhook is the source of truth; the page a person returns to only reads. Every event is stored once by
its id (a unique constraint) in the same transaction as its effect, and only the transitions the current
state allows are applied, so repeated and out-of-order deliveries are harmless.
"""

import logging
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import services as enrolments
from courses.models import Enrolment

from .models import Payment, StripeEvent

log = logging.getLogger(__name__)
Status = Payment.Status

# Stripe keeps a Checkout Session open for 30 minutes to 24 hours; a minute's margin for the clocks.
SESSION_MIN, SESSION_MAX = timedelta(minutes=31), timedelta(hours=23, minutes=59)
PAYMENT_METHODS = ["ideal", "card", "bancontact"]


class PaymentError(Exception):
    """Something the person can act on: the message is for them."""


def stripe_client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _from_timestamp(value: int) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def checkout_start(*, enrolment: Enrolment, success_url: str, cancel_url: str, now: datetime | None = None) -> Payment:
    """A Stripe Checkout Session for a held seat, or the one still open for it. The seat stays held as long as
    the payment page is open. Raises PaymentError when Stripe cannot be reached: nothing is written then."""
    now = now or timezone.now()
    open_payment = enrolment.payments.filter(status=Status.OPEN, expires_at__gt=now + timedelta(minutes=2)).first()
    if open_payment and enrolment.status == Enrolment.Status.HELD:
        return open_payment
    if enrolment.status != Enrolment.Status.HELD or enrolment.hold_expires_at <= now:
        raise PaymentError(_("Your seat is no longer held. Please enrol again."))
    course_date = enrolment.course_date
    expires_at = min(max(enrolment.hold_expires_at, now + SESSION_MIN), now + SESSION_MAX)
    attempt = uuid.uuid4().hex
    params = {
        "mode": "payment",
        "payment_method_types": PAYMENT_METHODS,
        "line_items": [{"quantity": 1, "price_data": {
            "currency": "eur", "unit_amount": cents(enrolment.price_incl_vat),
            "product_data": {"name": str(course_date)[:250]},  # the course and its first day
        }}],
        "customer_email": enrolment.user.email,
        "client_reference_id": str(enrolment.pk),
        "metadata": {"enrolment": str(enrolment.pk), "attempt": attempt},
        "locale": "nl" if enrolment.user.language == "nl" else "en",
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"checkout-{enrolment.pk}-{attempt}"})
    except stripe.StripeError as error:
        log.warning("Stripe refused or failed a checkout for enrolment %s: %s", enrolment.pk, error)
        raise PaymentError(_("The payment service is not available right now. Your seat stays held; "
                             "please try again in a moment.")) from error
    with transaction.atomic():
        enrolments.hold_extend(enrolment=enrolment, until=_from_timestamp(session.expires_at), now=now)
        return Payment.objects.create(
            enrolment=enrolment, amount=enrolment.price_incl_vat, checkout_session_id=session.id,
            checkout_url=session.url, expires_at=_from_timestamp(session.expires_at),
        )


def webhook_receive(*, payload: bytes, signature: str) -> tuple[StripeEvent, bool]:
    """Verifies and stores one delivery, then applies it, all in one transaction. Returns (event, is_new).
    Raises ValueError or stripe.SignatureVerificationError for a delivery that is not from Stripe."""
    event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(event_id=event.id, type=event.type, payload=event.to_dict())
            stored.outcome = _apply(event.type, event.data.object.to_dict())[:255]
            stored.save(update_fields=["outcome"])
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event.id), False
    return stored, True


def _apply(event_type: str, obj: dict) -> str:
    handlers = {
        "checkout.session.completed": _session_completed,
        "checkout.session.async_payment_succeeded": _session_paid,
        "checkout.session.async_payment_failed": _session_failed,
        "checkout.session.expired": _session_expired,
    }
    handler = handlers.get(event_type)
    if handler is None:
        return "ignored"
    payment = _payment_for(obj)
    if payment is None:
        return "not ours"
    return handler(payment, obj)


def _payment_for(session: dict) -> Payment | None:
    """The payment a session belongs to, locked. A session we never recorded (our save failed after Stripe
    created it) is recorded now from its metadata, so that its money is not lost."""
    payment = Payment.objects.select_for_update().filter(checkout_session_id=session["id"]).first()
    if payment is not None:
        return payment
    enrolment_id = (session.get("metadata") or {}).get("enrolment")
    enrolment = Enrolment.objects.filter(pk=enrolment_id).first() if enrolment_id else None
    if enrolment is None:
        return None
    return Payment.objects.create(
        enrolment=enrolment, amount=Decimal(session["amount_total"]) / 100, checkout_session_id=session["id"],
        expires_at=_from_timestamp(session["expires_at"]), note="recorded from Stripe's event",
    )


def _session_completed(payment: Payment, session: dict) -> str:
    if session.get("payment_status") == "paid":
        return _session_paid(payment, session)
    if payment.status == Status.OPEN:
        payment.status = Status.PROCESSING
        payment.payment_intent_id = session.get("payment_intent") or ""
        payment.save(update_fields=["status", "payment_intent_id"])
        return "processing"
    return f"left {payment.status}"


def _session_paid(payment: Payment, session: dict) -> str:
    if payment.status == Status.PAID:
        return "already paid"
    payment.status, payment.paid_at = Status.PAID, timezone.now()
    payment.payment_intent_id = session.get("payment_intent") or payment.payment_intent_id
    payment.save(update_fields=["status", "paid_at", "payment_intent_id"])
    enrolment = payment.enrolment
    if enrolment.status == Enrolment.Status.CONFIRMED:
        return _refund_due(payment, "paid twice: the place was already confirmed")
    try:
        enrolments.enrolment_confirm(enrolment=enrolment)
    except enrolments.SeatGone:
        return _refund_due(payment, "paid after the hold ran out and the date is full")
    except enrolments.EnrolmentError as error:
        return _refund_due(payment, f"paid but not confirmable: {error}")
    return "paid and confirmed"


def _refund_due(payment: Payment, reason: str) -> str:
    payment.note = f"refund due: {reason}"[:255]
    payment.save(update_fields=["note"])
    log.error("Payment %s needs a refund: %s", payment.pk, reason)
    return payment.note


def _session_failed(payment: Payment, session: dict) -> str:
    if payment.status in (Status.OPEN, Status.PROCESSING):
        payment.status = Status.FAILED
        payment.save(update_fields=["status"])
        return "failed"
    return f"left {payment.status}"


def _session_expired(payment: Payment, session: dict) -> str:
    """The payment page closed unpaid: Stripe's signal that the seat may go, unless another page is open."""
    if payment.status != Status.OPEN:
        return f"left {payment.status}"
    payment.status = Status.EXPIRED
    payment.save(update_fields=["status"])
    still_paying = payment.enrolment.payments.filter(status__in=[Status.OPEN, Status.PROCESSING]).exists()
    if not still_paying:
        enrolments.hold_release(enrolment=payment.enrolment, note="payment page expired unpaid")
    return "expired"

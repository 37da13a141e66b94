"""Stripe's webhook deliveries, as money: verified on the raw body, stored once by their id, and what a session or
a charge means for the payment it concerns. What it means for a place (confirm it, let its seat go) is the
places app's: it passes its `apply` to event_receive, which runs it in the same transaction as the storing, so
an event's effect and its record commit together or not at all, and a repeat finds the record and does nothing.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import record
from core.converters import parse_id
from core.formats import euro
from core.tasks import enqueue_with_change
from courses.models import Booking, Enrolment

from .checkout import booking_amount, cents, from_timestamp
from .models import Payment, StripeEvent
from .notifications import send_payment_returned
from .refunds import refund_request, sync_refunds

log = logging.getLogger(__name__)
Status = Payment.Status
REFUNDED_WHOLE = Payment.REFUNDED_WHOLE


def event_receive(*, payload: bytes, signature: str, apply: Callable[[str, dict], str]) -> tuple[StripeEvent, bool]:
    """Verifies and stores one delivery and runs `apply(type, object)` on it, all in one transaction. Returns
    (event, is_new). Raises ValueError or stripe.SignatureVerificationError for a delivery that is not from
    Stripe: nothing is stored then. A signed delivery is always stored and answered: one we cannot read (no
    object, a NaN, a NUL, over-long ids) or apply is kept with the reason, without effect, so that Stripe stops
    retrying and nothing is lost."""
    # The SDK's own check (signature and a 5-minute tolerance); the event is then read as plain JSON.
    stripe.WebhookSignature.verify_header(payload, signature, settings.STRIPE_WEBHOOK_SECRET,
                                          stripe.Webhook.DEFAULT_TOLERANCE)
    try:
        event = json.loads(payload, parse_constant=_no_constants)
    except ValueError as error:
        return _malformed_stored(payload, None, f"not JSON: {error}")
    problem = _malformed(event, payload)
    if problem:
        return _malformed_stored(payload, event, problem)
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(event_id=event["id"], type=event["type"], payload=event)
            stored.outcome = apply(event["type"], event["data"]["object"])[:255]
            stored.save(update_fields=["outcome"])
    except IntegrityError as error:
        seen = StripeEvent.objects.filter(event_id=event["id"]).first()  # only the event id's uniqueness is a repeat
        if seen is not None:
            return seen, False
        log.exception("Stripe event %s broke a rule of the database", event["id"])
        return _malformed_stored(payload, event, f"could not be applied: {error}")
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:  # a field of an unexpected shape
        log.exception("Stripe event %s could not be applied", event["id"])
        return _malformed_stored(payload, event, f"unexpected content: {error!r}")
    return stored, True


def _no_constants(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _malformed(event, payload: bytes) -> str:
    """Why a signed delivery cannot be an event we act on, or "" when it can."""
    if not isinstance(event, dict):
        return "not an object"
    if not isinstance(event.get("id"), str) or not 0 < len(event["id"]) <= 255:
        return "no usable id"
    if not isinstance(event.get("type"), str) or not 0 < len(event["type"]) <= 100:
        return "no usable type"
    if not isinstance(event.get("data"), dict) or not isinstance(event["data"].get("object"), dict):
        return "data.object is not an object"
    if b"\\u0000" in payload or b"\x00" in payload:
        return "contains a NUL character"
    return ""


def _malformed_stored(payload: bytes, event, reason: str) -> tuple[StripeEvent, bool]:
    """Keeps an unreadable delivery once (by its id, or the hash of its body), with why, and changes nothing."""
    event_id = event.get("id") if isinstance(event, dict) else None
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 255 or "\x00" in event_id:
        event_id = f"malformed-{hashlib.sha256(payload).hexdigest()}"
    event_type = event.get("type") if isinstance(event, dict) else None
    event_type = event_type if isinstance(event_type, str) and len(event_type) <= 100 else "malformed"
    body = payload.decode("utf-8", "replace").replace("\x00", "\ufffd").replace("\\u0000", "\\ufffd")
    log.error("Signed Stripe delivery %s stored without effect: %s", event_id, reason)
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                event_id=event_id, type=event_type.replace("\x00", ""), payload={"unreadable": body[:100_000]},
                outcome=f"malformed: {reason}"[:255])
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event_id), False
    return stored, True


def session_payment(session: dict) -> Payment | None:
    """The payment a session belongs to, locked. A session we never recorded (our save failed after Stripe
    created it) is recorded now from its metadata, so that its money is not lost."""
    if not isinstance(session.get("id"), str):
        return None
    payment = (Payment.objects.select_for_update(of=("self",)).select_related("enrolment", "booking")
               .filter(checkout_session_id=session["id"]).first())
    if payment is not None:
        return payment
    metadata = session.get("metadata") if isinstance(session.get("metadata"), dict) else {}
    enrolment_id, booking_id = parse_id(metadata.get("enrolment")), parse_id(metadata.get("booking"))
    paid_for = {"enrolment": Enrolment.objects.filter(pk=enrolment_id).first()} if enrolment_id else \
        {"booking": Booking.objects.filter(pk=booking_id).first()} if booking_id else {}
    amount = session.get("amount_total")
    if not any(paid_for.values()) or not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        return None  # nothing we could have sold: stored as "not ours", without effect
    # What was really paid, whatever the seats cost: only a session that paid the price confirms.
    return Payment.objects.create(
        **paid_for, amount=Decimal(session["amount_total"]) / 100, checkout_session_id=session["id"],
        expires_at=from_timestamp(session["expires_at"]), note="recorded from Stripe's event",
    )


def charge_payment(charge: dict) -> Payment | None:
    intent = charge.get("payment_intent")
    return Payment.objects.select_for_update().filter(payment_intent_id=intent).first() if intent else None


def paid_the_price(payment: Payment, session: dict) -> bool:
    """The session paid exactly what the place (or the booking's seats) cost, in euros: anything else never
    confirms a place."""
    price = booking_amount(payment.booking) if payment.booking_id else payment.enrolment.price_incl_vat
    return (session.get("currency") == "eur" and price is not None
            and session.get("amount_total") == cents(price) == cents(payment.amount))


def payment_processing(payment: Payment, session: dict) -> str:
    """A completed session whose money is still on its way (a bank transfer style method)."""
    if payment.status == Status.OPEN:
        payment.status = Status.PROCESSING
        payment.payment_intent_id = session.get("payment_intent") or ""
        payment.save(update_fields=["status", "payment_intent_id"])
        return "processing"
    return f"left {payment.status}"


def payment_paid(payment: Payment, session: dict) -> bool:
    """Marks the payment paid; False when it was already."""
    if payment.status == Status.PAID:
        return False
    payment.status, payment.paid_at = Status.PAID, timezone.now()
    payment.payment_intent_id = session.get("payment_intent") or payment.payment_intent_id
    payment.save(update_fields=["status", "paid_at", "payment_intent_id"])
    record(payment, "payment.paid", note=f"{euro(payment.amount)} via Stripe")
    return True


def paid_before(payment: Payment, **paid_for) -> bool:
    """Another payment paid for the same place or booking (two pages paid at the same moment)."""
    return (Payment.objects.filter(status=Status.PAID, **paid_for).exclude(pk=payment.pk)
            .exclude(note__startswith=REFUNDED_WHOLE).exists())


def refund_due(payment: Payment, reason: str) -> str:
    """Money that cannot buy a place goes back in full, and the person and the office are told."""
    payment.note = f"{REFUNDED_WHOLE}{reason}"[:255]
    payment.save(update_fields=["note"])
    refund_request(payment=payment, reason=reason)
    enqueue_with_change(send_payment_returned, payment_id=payment.pk)
    log.warning("Payment %s is refunded in full: %s", payment.pk, reason)
    return payment.note


def payment_failed(payment: Payment) -> str:
    if payment.status in (Status.OPEN, Status.PROCESSING):
        payment.status = Status.FAILED
        payment.save(update_fields=["status"])
        record(payment, "payment.failed")
        return "failed"
    return f"left {payment.status}"


def payment_expired(payment: Payment) -> bool:
    """The payment page closed unpaid: True when what it was for has no other page open, so its seats may go."""
    if payment.status != Status.OPEN:
        return False
    payment.status = Status.EXPIRED
    payment.save(update_fields=["status"])
    record(payment, "payment.expired")
    paid_for = payment.booking if payment.booking_id else payment.enrolment
    return not paid_for.payments.filter(status__in=[Status.OPEN, Status.PROCESSING]).exists()


def charge_refunded(payment: Payment) -> str:
    """Refunds made at Stripe (ours, or by hand in Stripe's dashboard) are recorded against the payment by a
    task after this commit: nothing here waits for Stripe while the webhook's transaction holds the payment."""
    enqueue_with_change(sync_refunds, payment_id=payment.pk)
    return "refunds to be recorded"

"""Paying for a held seat through Stripe Checkout, and applying what Stripe tells us.

The webhook is the source of truth; the page a person returns to only reads. Every event is stored once by
its id (a unique constraint) in the same transaction as its effect, and only the transitions the current
state allows are applied, so repeated and out-of-order deliveries are harmless.
"""

import hashlib
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from core import page_cache
from core.audit import record
from core.converters import parse_id
from core.formats import euro
from core.tasks import enqueue_with_change
from courses import bookings, enrolments, seating
from courses.models import Booking, Enrolment
from courses.notifications import send_place_ended
from learning import services as learning

from .invoices import credit_invoice_issue, credit_on_invoice, invoice_issue, issue_invoice
from .models import Invoice, Payment, Refund, StripeEvent
from .notifications import send_manual_refund_due, send_payment_returned

log = logging.getLogger(__name__)

# Why money goes back, stored with the refund and the credit invoice in the office's language (office_words).
CANCELLED_BY_PARTICIPANT = gettext_lazy("cancelled by the participant")
DATE_CANCELLED = gettext_lazy("the date was called off")
SEAT_CANCELLED = gettext_lazy("seat cancelled by the organisation")
MADE_AT_STRIPE = gettext_lazy("refunded in Stripe's dashboard (%(reason)s)")


def office_words(message) -> str:
    """A message in the site's language, the office's: for reasons kept with a record, whoever set them off."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message)
Status = Payment.Status

# Stripe keeps a Checkout Session open for 30 minutes to 24 hours; a minute's margin for the clocks.
SESSION_MIN, SESSION_MAX = timedelta(minutes=31), timedelta(hours=23, minutes=59)
PAYMENT_METHODS = ["ideal", "card", "bancontact"]
REFUNDED_WHOLE = Payment.REFUNDED_WHOLE


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
    open_payment = _open_payment(enrolment.payments, now)
    if open_payment and enrolment.status == Enrolment.Status.HELD:
        return open_payment
    if enrolment.status != Enrolment.Status.HELD or enrolment.hold_expires_at <= now:
        raise PaymentError(_("Your seat is no longer held. Please enrol again."))
    session = _session_create(
        key=f"checkout-{enrolment.pk}", metadata={"enrolment": str(enrolment.pk)}, payer=enrolment.user,
        name=str(enrolment.course_date), unit_amount=enrolment.price_incl_vat, quantity=1,
        held_until=enrolment.hold_expires_at, success_url=success_url, cancel_url=cancel_url, now=now)
    with transaction.atomic():
        enrolments.hold_extend(enrolment=enrolment, until=_from_timestamp(session.expires_at), now=now)
        return Payment.objects.create(
            enrolment=enrolment, amount=enrolment.price_incl_vat, checkout_session_id=session.id,
            checkout_url=session.url, expires_at=_from_timestamp(session.expires_at),
        )


def booking_checkout_start(*, booking: Booking, success_url: str, cancel_url: str,
                           now: datetime | None = None) -> Payment:
    """One Stripe Checkout Session for all the seats of a booking paid online (or the one still open for it),
    as checkout_start is for one person's seat: the seats stay held as long as the payment page is open."""
    now = now or timezone.now()
    held = list(booking.places.filter(status=Enrolment.Status.HELD, hold_expires_at__gt=now))
    if len(held) != booking.seats:
        raise PaymentError(_("The seats are no longer held. Please book again."))
    open_payment = _open_payment(booking.payments, now)
    if open_payment:
        return open_payment
    session = _session_create(
        key=f"booking-{booking.pk}", metadata={"booking": str(booking.pk)}, payer=booking.booked_by,
        name=str(booking.course_date), unit_amount=booking.price_incl_vat, quantity=booking.seats,
        held_until=min(place.hold_expires_at for place in held), success_url=success_url, cancel_url=cancel_url,
        now=now)
    with transaction.atomic():
        bookings.booking_hold_extend(booking=booking, until=_from_timestamp(session.expires_at), now=now)
        return Payment.objects.create(
            booking=booking, amount=booking_amount(booking), checkout_session_id=session.id,
            checkout_url=session.url, expires_at=_from_timestamp(session.expires_at),
        )


def booking_amount(booking: Booking) -> Decimal:
    return booking.price_incl_vat * booking.seats


def _open_payment(payments, now: datetime) -> Payment | None:
    """A payment page still open long enough to send the person back to."""
    return payments.filter(status=Status.OPEN, expires_at__gt=now + timedelta(minutes=2)).first()


def _session_create(*, key: str, metadata: dict, payer, name: str, unit_amount: Decimal, quantity: int,
                    held_until: datetime, success_url: str, cancel_url: str, now: datetime):
    """Asks Stripe for a Checkout Session open while the seats are held (within Stripe's limits). Raises
    PaymentError when Stripe cannot be reached or refuses."""
    expires_at = min(max(held_until, now + SESSION_MIN), now + SESSION_MAX)
    attempt = uuid.uuid4().hex
    params = {
        "mode": "payment",
        "payment_method_types": PAYMENT_METHODS,
        "line_items": [{"quantity": quantity, "price_data": {
            "currency": "eur", "unit_amount": cents(unit_amount),
            "product_data": {"name": name[:250]},  # the course and its first day
        }}],
        "customer_email": payer.email,
        "client_reference_id": metadata.get("enrolment") or key,
        "metadata": {**metadata, "attempt": attempt},
        "locale": "nl" if payer.language == "nl" else "en",
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    try:
        return stripe_client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"{key}-{attempt}"})
    except stripe.StripeError as error:
        log.warning("Stripe refused or failed checkout %s: %s", key, error)
        raise PaymentError(_("The payment service is not available right now. Your seat stays held; "
                             "please try again in a moment.")) from error


def webhook_receive(*, payload: bytes, signature: str) -> tuple[StripeEvent, bool]:
    """Verifies and stores one delivery, then applies it, all in one transaction. Returns (event, is_new).
    Raises ValueError or stripe.SignatureVerificationError for a delivery that is not from Stripe: nothing is
    stored then. A signed delivery is always stored and answered: one we cannot read (no object, a NaN, a NUL,
    over-long ids) is kept with the reason, without effect, so that Stripe stops retrying and nothing is lost."""
    # The SDK's own check (signature and a 5-minute tolerance); the event is then read as plain JSON.
    stripe.WebhookSignature.verify_header(payload, signature, settings.STRIPE_WEBHOOK_SECRET,
                                          stripe.Webhook.DEFAULT_TOLERANCE)
    try:
        event = json.loads(payload, parse_constant=_no_constants)
    except ValueError as error:
        return _store_malformed(payload, None, f"not JSON: {error}")
    problem = _malformed(event, payload)
    if problem:
        return _store_malformed(payload, event, problem)
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(event_id=event["id"], type=event["type"], payload=event)
            stored.outcome = _apply(event["type"], event["data"]["object"])[:255]
            stored.save(update_fields=["outcome"])
    except IntegrityError as error:
        seen = StripeEvent.objects.filter(event_id=event["id"]).first()  # only the event id's uniqueness is a repeat
        if seen is not None:
            return seen, False
        log.exception("Stripe event %s broke a rule of the database", event["id"])
        return _store_malformed(payload, event, f"could not be applied: {error}")
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:  # a field of an unexpected shape
        log.exception("Stripe event %s could not be applied", event["id"])
        return _store_malformed(payload, event, f"unexpected content: {error!r}")
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


def _store_malformed(payload: bytes, event, reason: str) -> tuple[StripeEvent, bool]:
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


def _apply(event_type: str, obj: dict) -> str:
    handlers = {
        "checkout.session.completed": _session_completed,
        "checkout.session.async_payment_succeeded": _session_paid,
        "checkout.session.async_payment_failed": _session_failed,
        "checkout.session.expired": _session_expired,
        "charge.refunded": _charge_refunded,
    }
    handler = handlers.get(event_type)
    if handler is None:
        return "ignored"
    payment = _charge_payment(obj) if obj.get("object") == "charge" else _payment_for(obj)
    if payment is None:
        return "not ours"
    return handler(payment, obj)


def _payment_for(session: dict) -> Payment | None:
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
    # What was really paid, whatever the seats cost: _session_paid confirms only when the two agree.
    return Payment.objects.create(
        **paid_for, amount=Decimal(session["amount_total"]) / 100, checkout_session_id=session["id"],
        expires_at=_from_timestamp(session["expires_at"]), note="recorded from Stripe's event",
    )


def _pays_for_the_place(payment: Payment, session: dict) -> bool:
    """The session paid exactly what the place (or the booking's seats) cost, in euros: anything else never
    confirms a place."""
    price = booking_amount(payment.booking) if payment.booking_id else payment.enrolment.price_incl_vat
    return (session.get("currency") == "eur" and price is not None
            and session.get("amount_total") == cents(price) == cents(payment.amount))


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
    record(payment, "payment.paid", note=f"{euro(payment.amount)} via Stripe")
    if not _pays_for_the_place(payment, session):
        return _refund_due(payment, f"paid {session.get('amount_total')} {session.get('currency')}, not what the "
                                    f"place costs")
    if payment.booking_id:
        booking = payment.booking
        return _confirmed_by(payment, lambda: bookings.booking_confirm(booking=booking), booking=booking)
    enrolment = payment.enrolment
    if enrolment.status == Enrolment.Status.CONFIRMED:
        return _refund_due(payment, "paid twice: the place was already confirmed")
    return _confirmed_by(payment, lambda: enrolments.enrolment_confirm(enrolment=enrolment), enrolment=enrolment)


def _confirmed_by(payment: Payment, confirm, **paid_for) -> str:
    """Confirms what the payment paid for, a place or every seat of a booking (`confirm`), or sends the money
    back whole when it cannot buy it. The check for an earlier payment comes after the confirmation took the
    date's lock: of two pages paid at the same moment, the one whose webhook comes second sees the first one
    paid there (it committed before the lock was free), and goes back."""
    try:
        confirm()
    except seating.SeatGone:
        return _refund_due(payment, "paid after the hold ran out and the date has no room for it")
    except seating.EnrolmentError as error:
        return _refund_due(payment, f"paid but not confirmable: {error}")
    paid_before = (Payment.objects.filter(status=Status.PAID, **paid_for).exclude(pk=payment.pk)
                   .exclude(note__startswith=REFUNDED_WHOLE).exists())
    if paid_before:
        return _refund_due(payment, "paid twice: it was already paid for")
    # Enqueued inside this transaction (the task queue is in the same database): the invoice is certain once
    # the payment is, and its number is taken by a worker, not while Stripe waits for this answer.
    issue_invoice.enqueue(payment_id=payment.pk)
    return "paid and confirmed"


def _refund_due(payment: Payment, reason: str) -> str:
    """Money that cannot buy a place goes back in full, and the person and the office are told."""
    payment.note = f"{REFUNDED_WHOLE}{reason}"[:255]
    payment.save(update_fields=["note"])
    refund_request(payment=payment, reason=reason)
    enqueue_with_change(send_payment_returned, payment_id=payment.pk)
    log.warning("Payment %s is refunded in full: %s", payment.pk, reason)
    return payment.note


def _session_failed(payment: Payment, session: dict) -> str:
    if payment.status in (Status.OPEN, Status.PROCESSING):
        payment.status = Status.FAILED
        payment.save(update_fields=["status"])
        record(payment, "payment.failed")
        return "failed"
    return f"left {payment.status}"


def _session_expired(payment: Payment, session: dict) -> str:
    """The payment page closed unpaid: Stripe's signal that the seat may go, unless another page is open."""
    if payment.status != Status.OPEN:
        return f"left {payment.status}"
    payment.status = Status.EXPIRED
    payment.save(update_fields=["status"])
    record(payment, "payment.expired")
    paid_for = payment.booking if payment.booking_id else payment.enrolment
    if paid_for.payments.filter(status__in=[Status.OPEN, Status.PROCESSING]).exists():
        return "expired"  # another payment page is open for it
    if payment.booking_id:
        bookings.booking_hold_release(booking=payment.booking, note="payment page expired unpaid")
    else:
        enrolments.hold_release(enrolment=payment.enrolment, note="payment page expired unpaid")
    return "expired"


def _charge_payment(charge: dict) -> Payment | None:
    intent = charge.get("payment_intent")
    return Payment.objects.select_for_update().filter(payment_intent_id=intent).first() if intent else None


def _charge_refunded(payment: Payment, charge: dict) -> str:
    """Refunds made at Stripe (ours, or by hand in Stripe's dashboard) are recorded against the payment by a
    task after this commit: nothing here waits for Stripe while the webhook's transaction holds the payment."""
    enqueue_with_change(sync_refunds, payment_id=payment.pk)
    return "refunds to be recorded"


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
        if Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
                status=Refund.Status.FAILED, failure_reason=stripes_words(error)[:255]):
            page_cache.changed(page_cache.PEOPLE)  # no signal from an update: its payer's pages show it
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


def paid_payment_of(enrolment: Enrolment) -> Payment | None:
    return enrolment.payments.filter(status=Status.PAID).order_by("-paid_at").first()


def money_returned(enrolment: Enrolment) -> bool:
    """The one answer to "did this place's money go back": the person took a refund instead of another date,
    or what was paid has been refunded in full (by the policy, by the office in the admin, or at Stripe;
    a refund on its way counts). Such a place cannot be moved to another date."""
    if enrolment.refunded_at is not None:
        return True
    payment = paid_payment_of(enrolment)
    return payment is not None and refundable(payment) <= 0


def place_movable(enrolment: Enrolment, now: datetime) -> bool:
    """Whether the place's page offers "move to another date" (a confirmed place, or one whose date was called
    off, whose money did not go back); place_transfer decides again on submit."""
    if enrolment.transferred_to_id or not seating.participant_may_change(enrolment, now):
        return False
    if enrolment.status == Enrolment.Status.CONFIRMED:
        return not money_returned(enrolment)
    return (enrolments.transferable_after_date_cancelled(enrolment, enrolment.course_date)
            and not money_returned(enrolment))


@transaction.atomic
def place_transfer(*, enrolment: Enrolment, to_date, actor=None, by_office: bool = False, reason: str = "",
                   now: datetime | None = None) -> Enrolment:
    """Moves a place to another date with what was paid for it: every transfer goes through here. Refused when
    the money went back. The payments are locked first (as refunds lock them), so a refund and a transfer of
    the same place happen one after the other, never both."""
    payments = list(Payment.objects.select_for_update().filter(enrolment=enrolment).order_by("pk"))
    enrolment.refresh_from_db(fields=["refunded_at"])
    if money_returned(enrolment):
        raise seating.EnrolmentError(_("The money for this place has been refunded, so it cannot be moved "
                                          "to another date."))
    moved = enrolments.enrolment_transfer(enrolment=enrolment, to_date=to_date, actor=actor, by_office=by_office,
                                          reason=reason, now=now)
    learning.coursework_move(old=enrolment, new=moved)
    for payment in payments:  # the invoices stay as issued; a later cancellation refunds these payments
        payment.enrolment = moved
        payment.save(update_fields=["enrolment"])
    return moved


def _refund_by_hand(enrolment: Enrolment, amount: Decimal) -> None:
    """The place was paid some other way (a bank transfer on an invoice): the office is asked to pay it back."""
    enqueue_with_change(send_manual_refund_due, enrolment_id=enrolment.pk, amount=str(amount))


@transaction.atomic
def place_cancel(*, enrolment: Enrolment, actor=None, note: str = "", by_office: bool = False,
                 now: datetime | None = None) -> seating.Cancellation:
    """A person (or the office) cancels a place: it ends as the courses app decides, and what the course's
    policy gives back goes back to what they paid with."""
    cancellation = enrolments.enrolment_cancel(enrolment=enrolment, actor=actor, note=note, by_office=by_office,
                                               now=now, person_told_elsewhere=True)
    way = refund_cancelled_place(enrolment=cancellation.enrolment, refund=cancellation.refund, actor=actor)
    place = cancellation.enrolment
    if place.confirmed_at and place.user_id:  # the email says how much comes back, how and when
        enqueue_with_change(send_place_ended, enrolment_id=place.pk, refund=str(cancellation.refund), refund_way=way)
    return cancellation


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


def refund_cancelled_place(*, enrolment: Enrolment, refund: Decimal, actor=None) -> str:
    """A person cancelled: the course's policy decided `refund`; it goes back to what they paid with (for a
    booked place: refunded on the booking's payment or credited on its invoice). Returns the way it goes:
    "stripe", "invoice" or "office" (by hand), "" when nothing goes back."""
    if refund <= 0:
        return ""
    if enrolment.booking_id:
        back = booking_money_back(booking_id=enrolment.booking_id, amount=refund,
                                  reason=office_words(CANCELLED_BY_PARTICIPANT), actor=actor)
        return "" if back is None else "stripe" if isinstance(back, Refund) else "invoice"
    payment = paid_payment_of(enrolment)
    if payment is None:
        _refund_by_hand(enrolment, refund)
        return "office"
    amount = min(refund, refundable(payment))
    if amount <= 0:  # the office already gave it all back
        return ""
    refund_request(payment=payment, amount=amount, reason=office_words(CANCELLED_BY_PARTICIPANT), actor=actor)
    return "stripe"


@transaction.atomic
def refund_instead_of_another_date(*, enrolment: Enrolment, actor=None) -> bool:
    """The date was called off and the person wants their money back rather than another date. False when the
    place was moved or refunded already."""
    payment = paid_payment_of(enrolment)
    if payment is not None:  # locked before the date, in the same order as place_transfer and the webhook
        Payment.objects.select_for_update().filter(pk=payment.pk).first()
    elif enrolment.booking_id:
        booking_payment_locked(enrolment.booking_id)
    if not enrolments.date_cancelled_refund_claim(enrolment=enrolment, actor=actor):
        return False
    if payment is not None:
        if refundable(payment) > 0:  # the office may have given it all back already
            refund_request(payment=payment, reason=office_words(DATE_CANCELLED), actor=actor)
    elif enrolment.booking_id:
        booking_money_back(booking_id=enrolment.booking_id, amount=enrolment.price_incl_vat,
                           reason=office_words(DATE_CANCELLED), actor=actor)
    elif enrolment.price_incl_vat:
        _refund_by_hand(enrolment, enrolment.price_incl_vat)
    return True


def cancelled_dates_refund(*, now: datetime | None = None) -> int:
    """For the worker: paid places on a called-off date that neither moved nor were refunded within
    DATE_CANCELLED_CHOICE_DAYS are refunded in full."""
    now = now or timezone.now()
    due = Enrolment.objects.filter(
        status=Enrolment.Status.CANCELLED, course_date__status="cancelled", confirmed_at__isnull=False,
        refunded_at__isnull=True, transferred_to__isnull=True,
        ended_at__lte=now - timedelta(days=settings.DATE_CANCELLED_CHOICE_DAYS),
    )
    return sum(1 for enrolment in due if refund_instead_of_another_date(enrolment=enrolment))


def reconcile(*, since: datetime | None = None, now: datetime | None = None) -> dict[str, int]:
    """Repairs what missed webhooks left undone: reads recent Checkout Sessions and refunds from Stripe and
    applies them as their events would have been, and resends refunds still waiting to reach Stripe.
    Safe to run any time and in parallel with webhooks: every step only makes transitions the state allows."""
    now = now or timezone.now()
    since = since or now - timedelta(days=3)
    client = stripe_client()
    applied = {"sessions": 0, "refunds_recorded": 0, "refunds_sent": 0, "invoices_issued": 0}
    for session in client.v1.checkout.sessions.list(
            params={"created": {"gte": int(since.timestamp())}, "limit": 100}).auto_paging_iter():
        outcome = _apply_session(session.to_dict())
        applied["sessions"] += outcome not in ("open", "not ours", "already paid") and not outcome.startswith("left ")
    intents = {refund.payment_intent for refund in client.v1.refunds.list(
        params={"created": {"gte": int(since.timestamp())}, "limit": 100}).auto_paging_iter()}
    for payment in Payment.objects.filter(payment_intent_id__in=intents):
        applied["refunds_recorded"] += refunds_sync(payment)
    for refund in Refund.objects.filter(status=Refund.Status.PENDING, stripe_refund_id__isnull=True,
                                        created_at__lte=now - timedelta(minutes=1)).select_related("payment"):
        applied["refunds_sent"] += refund_send(refund=refund).status == Refund.Status.SUCCEEDED
    for payment in uninvoiced_payments():
        invoice_issue(payment=payment)
        applied["invoices_issued"] += 1
    return applied


def _apply_session(session: dict) -> str:
    """A session as Stripe reports it now, applied as its event would have been (in a short transaction, after
    the call to Stripe)."""
    event_type = {"complete": "checkout.session.completed", "expired": "checkout.session.expired"}.get(
        session.get("status"))
    if event_type is None:
        return "open"
    with transaction.atomic():
        return _apply(event_type, session)


def checkout_sync(*, payment: Payment) -> Payment:
    """Asks Stripe for the state of a payment's Checkout Session and applies it, for the page the person returns
    to: they see "paid" at once, whether or not the webhook has come. Without an answer from Stripe nothing
    changes (the webhook or the reconciliation will tell)."""
    if payment.status not in (Status.OPEN, Status.PROCESSING) or not payment.checkout_session_id:
        return payment
    try:
        session = stripe_client().v1.checkout.sessions.retrieve(payment.checkout_session_id)
    except stripe.StripeError as error:
        log.warning("Could not ask Stripe about session %s: %s", payment.checkout_session_id, error)
        return payment
    _apply_session(session.to_dict())
    payment.refresh_from_db()
    return payment


def uninvoiced_payments():
    """Paid places without their invoice (its task was lost): the reconciliation issues them."""
    confirmed = Q(enrolment__status=Enrolment.Status.CONFIRMED) | Q(
        booking__places__status=Enrolment.Status.CONFIRMED, booking__payment_method=Booking.PaymentMethod.ONLINE)
    return (Payment.objects.filter(confirmed, status=Status.PAID).exclude(invoices__kind="invoice")
            .exclude(note__startswith=REFUNDED_WHOLE).distinct()
            .select_related("enrolment__course_date__course", "enrolment__user", "booking__course_date__course"))

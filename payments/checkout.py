"""Stripe Checkout: the payment page for a price, and what Stripe says of it now. What the page pays for (a held
place, a booking's seats) is the places app's use case; this module knows money only."""

import logging
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.compiled import CompiledRead
from courses.models import Booking

from .models import Payment

log = logging.getLogger(__name__)
Status = Payment.Status

# Stripe keeps a Checkout Session open for 30 minutes to 24 hours; a minute's margin for the clocks.
SESSION_MIN, SESSION_MAX = timedelta(minutes=31), timedelta(hours=23, minutes=59)
PAYMENT_METHODS = ["ideal", "card", "bancontact"]


class PaymentError(Exception):
    """Something the person can act on: the message is for them."""


# A connection to Stripe left idle longer is not used again: a firewall or NAT on the way may have forgotten it
# without a word, and a request sent on it would wait for the whole timeout before its retry.
KEPT_IDLE_SECONDS = 45
_kept = threading.local()  # this thread's client: .settings, .client, .http (its connections), .used


def stripe_client() -> stripe.StripeClient:
    """This thread's client for these settings, kept while it is in use: its connection to Stripe stays open, so
    a payment page after the first costs no new TCP connection and TLS handshake."""
    wanted = (settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_MAX_NETWORK_RETRIES,
              settings.STRIPE_TIMEOUT_SECONDS)
    now = time.monotonic()
    if getattr(_kept, "settings", None) != wanted or now - _kept.used > KEPT_IDLE_SECONDS:
        if getattr(_kept, "http", None) is not None:
            _kept.http.close()
        secret_key, api_base, retries, timeout = wanted
        _kept.http = stripe.RequestsClient(timeout=timeout)
        _kept.client = stripe.StripeClient(secret_key, base_addresses={"api": api_base}, max_network_retries=retries,
                                           http_client=_kept.http)
        _kept.settings = wanted
    _kept.used = now
    return _kept.client


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_timestamp(value: int) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def booking_amount(booking: Booking) -> Decimal:
    return booking.price_incl_vat * booking.seats


OPEN_LONG_ENOUGH = timedelta(minutes=2)  # a payment page that closes sooner is not worth sending someone to


def open_payment(payments, now: datetime) -> Payment | None:
    """A payment page still open long enough to send the person back to."""
    return payments.filter(status=Status.OPEN, expires_at__gt=now + OPEN_LONG_ENOUGH).first()


def open_payment_of_place(enrolment_id: int, now: datetime) -> Payment | None:
    """open_payment for one person's place: every winner of an enrolment rush asks it, so it is compiled once."""
    found = _open_of_place(enrolment_id, now + OPEN_LONG_ENOUGH)
    return found[0] if found else None


_open_of_place = CompiledRead(lambda enrolment_id, after: Payment.objects.filter(
    enrolment_id=enrolment_id, status=Status.OPEN, expires_at__gt=after)[:1])


def session_create(*, key: str, metadata: dict, payer, name: str, unit_amount: Decimal, quantity: int,
                   held_until: datetime, success_url: str, cancel_url: str, now: datetime):
    """Asks Stripe for a Checkout Session open while the seats are held (within Stripe's limits). Raises
    PaymentError when Stripe cannot be reached or refuses: nothing is written then."""
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


def payment_open(*, session, amount: Decimal, **paid_for) -> Payment:
    """The payment of a session just made, for a place (`enrolment=`) or a booking (`booking=`)."""
    return Payment.objects.create(**paid_for, amount=amount, checkout_session_id=session.id, checkout_url=session.url,
                                  expires_at=from_timestamp(session.expires_at))


def session_now(payment: Payment) -> dict | None:
    """What Stripe says of the payment's Checkout Session now, or None without an answer (the webhook or the
    reconciliation will tell)."""
    try:
        return stripe_client().v1.checkout.sessions.retrieve(payment.checkout_session_id).to_dict()
    except stripe.StripeError as error:
        log.warning("Could not ask Stripe about session %s: %s", payment.checkout_session_id, error)
        return None


def sessions_since(since: datetime):
    """Every Checkout Session Stripe made since then, as dicts (for the reconciliation)."""
    for session in stripe_client().v1.checkout.sessions.list(
            params={"created": {"gte": int(since.timestamp())}, "limit": 100}).auto_paging_iter():
        yield session.to_dict()

"""What Stripe's events mean for places. Stripe's webhook comes here: payments verifies and stores the event,
and in the same transaction `event_apply` makes its effect, so a paid hold becomes a confirmed place (or every
seat of a booking), an expired page lets its seats go, and money that cannot buy what it paid for goes back
whole. Repeated and out-of-order deliveries are harmless: only the transitions the current state allows apply.
"""

from django.db import transaction

from courses import bookings, enrolments, seating
from courses.models import Enrolment
from payments import stripe_events
from payments.invoices import issue_invoice
from payments.models import Payment, StripeEvent


def webhook_receive(*, payload: bytes, signature: str) -> tuple[StripeEvent, bool]:
    """One delivery of Stripe's webhook (see payments.stripe_events.event_receive)."""
    return stripe_events.event_receive(payload=payload, signature=signature, apply=event_apply)


def event_apply(event_type: str, obj: dict) -> str:
    handlers = {
        "checkout.session.completed": session_completed,
        "checkout.session.async_payment_succeeded": session_paid,
        "checkout.session.async_payment_failed": session_failed,
        "checkout.session.expired": session_expired,
        "charge.refunded": charge_refunded,
    }
    handler = handlers.get(event_type)
    if handler is None:
        return "ignored"
    payment = (stripe_events.charge_payment(obj) if obj.get("object") == "charge"
               else stripe_events.session_payment(obj))
    if payment is None:
        return "not ours"
    return handler(payment, obj)


def session_apply(session: dict) -> str:
    """A session as Stripe reports it now, applied as its event would have been (in a short transaction, after
    the call to Stripe): for the return page and the reconciliation."""
    event_type = {"complete": "checkout.session.completed", "expired": "checkout.session.expired"}.get(
        session.get("status"))
    if event_type is None:
        return "open"
    with transaction.atomic():
        return event_apply(event_type, session)


def session_completed(payment: Payment, session: dict) -> str:
    if session.get("payment_status") == "paid":
        return session_paid(payment, session)
    return stripe_events.payment_processing(payment, session)


def session_paid(payment: Payment, session: dict) -> str:
    if not stripe_events.payment_paid(payment, session):
        return "already paid"
    if not stripe_events.paid_the_price(payment, session):
        return stripe_events.refund_due(payment, f"paid {session.get('amount_total')} {session.get('currency')}, "
                                                 f"not what the place costs")
    if payment.booking_id:
        booking = payment.booking
        return _confirmed_by(payment, lambda: bookings.booking_confirm(booking=booking), booking=booking)
    enrolment = payment.enrolment
    if enrolment.status == Enrolment.Status.CONFIRMED:
        return stripe_events.refund_due(payment, "paid twice: the place was already confirmed")
    return _confirmed_by(payment, lambda: enrolments.enrolment_confirm(enrolment=enrolment), enrolment=enrolment)


def _confirmed_by(payment: Payment, confirm, **paid_for) -> str:
    """Confirms what the payment paid for, a place or every seat of a booking (`confirm`), or sends the money
    back whole when it cannot buy it. The check for an earlier payment comes after the confirmation took the
    date's lock: of two pages paid at the same moment, the one whose webhook comes second sees the first one
    paid there (it committed before the lock was free), and goes back."""
    try:
        confirm()
    except seating.SeatGone:
        return stripe_events.refund_due(payment, "paid after the hold ran out and the date has no room for it")
    except seating.EnrolmentError as error:
        return stripe_events.refund_due(payment, f"paid but not confirmable: {error}")
    if stripe_events.paid_before(payment, **paid_for):
        return stripe_events.refund_due(payment, "paid twice: it was already paid for")
    # Enqueued inside this transaction (the task queue is in the same database): the invoice is certain once
    # the payment is, and its number is taken by a worker, not while Stripe waits for this answer.
    issue_invoice.enqueue(payment_id=payment.pk)
    return "paid and confirmed"


def session_failed(payment: Payment, session: dict) -> str:
    return stripe_events.payment_failed(payment)


def session_expired(payment: Payment, session: dict) -> str:
    """The payment page closed unpaid: the seats may go, unless another page is open for them."""
    if payment.status != Payment.Status.OPEN:
        return f"left {payment.status}"
    if not stripe_events.payment_expired(payment):
        return "expired"  # another payment page is open for it
    if payment.booking_id:
        bookings.booking_hold_release(booking=payment.booking, note="payment page expired unpaid")
    else:
        enrolments.hold_release(enrolment=payment.enrolment, note="payment page expired unpaid")
    return "expired"


def charge_refunded(payment: Payment, charge: dict) -> str:
    return stripe_events.charge_refunded(payment)

"""Paying for held seats on Stripe's page: the page is opened for as long as the seats are held (Stripe keeps a
page open for at least 30 minutes, so the hold stretches to match), and what Stripe says of it now is applied
for the page a person returns to."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import bookings, enrolments
from courses.models import Booking, Enrolment
from payments import checkout
from payments.checkout import PaymentError
from payments.models import Payment

from .stripe_events import session_apply


def place_checkout_start(*, enrolment: Enrolment, success_url: str, cancel_url: str,
                         now: datetime | None = None) -> Payment:
    """A Checkout Session for a held seat, or the one still open for it. Raises PaymentError when Stripe cannot
    be reached: nothing is written then. Stripe is asked first, with no lock held; its answer is recorded in a
    short transaction that keeps the seat held as long as the page is open."""
    now = now or timezone.now()
    still_open = checkout.open_payment_of_place(enrolment.pk, now)
    if still_open and enrolment.status == Enrolment.Status.HELD:
        return still_open
    if enrolment.status != Enrolment.Status.HELD or enrolment.hold_expires_at <= now:
        raise PaymentError(_("Your seat is no longer held. Please enrol again."))
    session = checkout.session_create(
        key=f"checkout-{enrolment.pk}", metadata={"enrolment": str(enrolment.pk)}, payer=enrolment.user,
        name=str(enrolment.course_date), unit_amount=enrolment.price_incl_vat, quantity=1,
        held_until=enrolment.hold_expires_at, success_url=success_url, cancel_url=cancel_url, now=now)
    with transaction.atomic():
        # the clock after Stripe answered: a hold that ran out while it was asked is not stretched
        enrolments.hold_extend(enrolment=enrolment, until=checkout.from_timestamp(session.expires_at))
        return checkout.payment_open(session=session, amount=enrolment.price_incl_vat, enrolment=enrolment)


def booking_checkout_start(*, booking: Booking, success_url: str, cancel_url: str,
                           now: datetime | None = None) -> Payment:
    """One Checkout Session for all the seats of a booking paid online (or the one still open for it), as
    place_checkout_start is for one person's seat."""
    now = now or timezone.now()
    held = list(booking.places.filter(status=Enrolment.Status.HELD, hold_expires_at__gt=now))
    if len(held) != booking.seats:
        raise PaymentError(_("The seats are no longer held. Please book again."))
    still_open = checkout.open_payment(booking.payments, now)
    if still_open:
        return still_open
    session = checkout.session_create(
        key=f"booking-{booking.pk}", metadata={"booking": str(booking.pk)}, payer=booking.booked_by,
        name=str(booking.course_date), unit_amount=booking.price_incl_vat, quantity=booking.seats,
        held_until=min(place.hold_expires_at for place in held), success_url=success_url, cancel_url=cancel_url,
        now=now)
    with transaction.atomic():
        bookings.booking_hold_extend(booking=booking, until=checkout.from_timestamp(session.expires_at), now=now)
        return checkout.payment_open(session=session, amount=checkout.booking_amount(booking), booking=booking)


def checkout_sync(*, payment: Payment) -> Payment:
    """Asks Stripe for the state of a payment's Checkout Session and applies it, for the page the person returns
    to: they see "paid" at once, whether or not the webhook has come. Without an answer nothing changes (the
    webhook or the reconciliation will tell)."""
    if payment.status not in (Payment.Status.OPEN, Payment.Status.PROCESSING) or not payment.checkout_session_id:
        return payment
    session = checkout.session_now(payment)
    if session is not None:
        session_apply(session)
        payment.refresh_from_db()
    return payment

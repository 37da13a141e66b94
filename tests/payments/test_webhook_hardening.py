"""Signed webhooks that try to pay too little, or that we cannot read: a place is confirmed only for its price;
a malformed but signed delivery is stored, answered 2xx and changes nothing; an unsigned one is a 400."""

import json
import time

import pytest

from courses import enrolments, seating
from courses.models import Enrolment
from payments.models import Payment, Refund, StripeEvent
from payments.stripe_double import sign
from tests.factories import UserFactory, make_date
from tests.payments.test_checkout_and_webhooks import WEBHOOK, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(course):
    return enrolments.enrolment_hold(course_date=make_date(course, capacity=2), user=UserFactory(),
                                     billing=seating.Billing())


def forged_session(enrolment, *, amount_total: int, currency: str = "eur") -> dict:
    """A Checkout Session we never created, paid, naming a held place in its metadata."""
    return {"id": "evt_forged_1", "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_forged_1", "object": "checkout.session", "payment_status": "paid", "payment_intent": "pi_forged_1",
        "amount_total": amount_total, "currency": currency, "expires_at": int(time.time()) + 3600,
        "metadata": {"enrolment": str(enrolment.pk)}}}}


@pytest.mark.parametrize(("amount_total", "currency"), [(1, "eur"), (49400, "eur"), (49500, "usd"), (99000, "eur")])
def test_a_session_that_did_not_pay_the_price_in_euros_confirms_nothing_and_is_refunded(
        client, held, stripe_double, django_capture_on_commit_callbacks, mailoutbox, amount_total, currency):
    stripe_double.double.payments["pi_forged_1"] = {"amount": amount_total, "refunded": 0, "currency": currency,
                                                    "charge": "ch_forged_1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, forged_session(held, amount_total=amount_total, currency=currency))

    assert response.status_code == 200
    held.refresh_from_db()
    assert held.status == Enrolment.Status.HELD  # still only held: the €1,450 place is not bought for €0.01
    payment = Payment.objects.get(checkout_session_id="cs_forged_1")
    assert payment.amount * 100 == amount_total  # recorded as what was really paid
    assert Refund.objects.get(payment=payment).amount == payment.amount  # and all of it goes back
    assert "not what the place costs" in StripeEvent.objects.get(event_id="evt_forged_1").outcome
    [told] = [mail for mail in mailoutbox if mail.to == [held.user.email]]  # the person is told
    assert told.subject == f"Je betaling voor {held.course_date.course.title} wordt terugbetaald"


def test_a_session_paying_exactly_the_price_confirms(client, held, stripe_double):
    response = deliver(client, forged_session(held, amount_total=49500))
    assert response.status_code == 200
    held.refresh_from_db()
    assert held.status == Enrolment.Status.CONFIRMED


def signed_post(client, body: bytes):
    return client.post(WEBHOOK, data=body, content_type="application/json",
                       headers={"Stripe-Signature": sign(body, "whsec_double")})


MALFORMED = {
    "data without object": b'{"id": "evt_m1", "type": "checkout.session.completed", "data": {}}',
    "object a list": b'{"id": "evt_m2", "type": "checkout.session.completed", "data": {"object": []}}',
    "a NaN": b'{"id": "evt_m3", "type": "checkout.session.completed", "data": {"object": {"amount_total": NaN}}}',
    "an over-long id": json.dumps({"id": "evt_" + "x" * 300, "type": "charge.refunded",
                                   "data": {"object": {}}}).encode(),
    "an over-long type": json.dumps({"id": "evt_m5", "type": "t" * 200, "data": {"object": {}}}).encode(),
    "a NUL byte": b'{"id": "evt_m6", "type": "checkout.session.completed", "data": {"object": {"id": "cs_\\u0000"}}}',
    "not an object": b'[1, 2, 3]',
    "not JSON": b'{"id": "evt_m8", ',
    "metadata.enrolment not a number": json.dumps({"id": "evt_m9", "type": "checkout.session.completed", "data": {
        "object": {"id": "cs_m9", "payment_status": "paid", "amount_total": 49500, "currency": "eur",
                   "expires_at": 1, "metadata": {"enrolment": "abc"}}}}).encode(),
    "amount_total a string": json.dumps({"id": "evt_m10", "type": "checkout.session.completed", "data": {
        "object": {"id": "cs_m10", "payment_status": "paid", "amount_total": "49500", "currency": "eur",
                   "expires_at": "soon", "metadata": {"enrolment": "1"}}}}).encode(),
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_but_malformed_delivery_is_stored_answered_2xx_and_changes_nothing(client, held, body):
    response = signed_post(client, body)
    again = signed_post(client, body)  # Stripe delivers again: still 2xx, stored once

    assert response.status_code == again.status_code == 200
    assert StripeEvent.objects.count() == 1
    held.refresh_from_db()
    assert held.status == Enrolment.Status.HELD and not Payment.objects.exists()


def test_an_unsigned_or_wrongly_signed_delivery_is_a_400_that_stores_nothing(client, held):
    body = json.dumps(forged_session(held, amount_total=49500)).encode()
    assert client.post(WEBHOOK, data=body, content_type="application/json").status_code == 400
    wrong = client.post(WEBHOOK, data=body, content_type="application/json",
                        headers={"Stripe-Signature": sign(body, "whsec_someone_else")})
    assert wrong.status_code == 400
    assert not StripeEvent.objects.exists() and not Payment.objects.exists()


@pytest.mark.parametrize("amount_total", [0, -100])
def test_an_unknown_session_of_nothing_or_less_is_stored_and_answered_2xx_once(client, held, amount_total):
    """Only the event id's uniqueness means "seen before": a session we cannot apply is kept, without effect, so
    Stripe stops retrying (it was a 500 that Stripe would retry forever)."""
    body = json.dumps(forged_session(held, amount_total=amount_total)).encode()
    response = signed_post(client, body)
    again = signed_post(client, body)
    assert (response.status_code, again.status_code) == (200, 200)
    assert again.json()["duplicate"] is True
    event = StripeEvent.objects.get(event_id="evt_forged_1")
    assert event.outcome == "not ours" and not Payment.objects.exists()
    held.refresh_from_db()
    assert held.status == Enrolment.Status.HELD


def test_a_delivery_that_breaks_a_rule_of_the_database_is_kept_with_the_reason(client, held, monkeypatch):
    from django.db import IntegrityError

    from places import stripe_events

    def broken(event_type, obj):
        raise IntegrityError("a constraint said no")

    monkeypatch.setattr(stripe_events, "event_apply", broken)
    response = signed_post(client, json.dumps(forged_session(held, amount_total=49500)).encode())
    assert response.status_code == 200
    assert "could not be applied" in StripeEvent.objects.get(event_id="evt_forged_1").outcome

"""Paying for a held seat through the Stripe test double (a real HTTP server, reached through the official SDK),
and the webhook that applies what Stripe reports: verified, stored once, applied once, in any order."""

import json
import time
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.audit import history
from core.models import ProviderSettings
from courses import enrolments, seating, waitlists
from courses.models import Enrolment
from payments import checkout
from payments.models import Payment, Refund, StripeEvent
from payments.stripe_double import sign
from places import checkout as places_checkout
from tests.factories import UserFactory, make_date

pytestmark = pytest.mark.django_db
WEBHOOK = "/payments/stripe/webhook/"


@pytest.fixture
def held(course):
    course_date = make_date(course, capacity=1)
    return enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())


def start(enrolment) -> Payment:
    return places_checkout.place_checkout_start(enrolment=enrolment, success_url="http://testserver/paid/",
                                   cancel_url="http://testserver/back/")


def hosted_page(stripe_double, payment: Payment, outcome: str) -> str:
    """Presses a button on the double's payment page; returns where the browser would be sent."""
    request = urllib.request.Request(f"{stripe_double.url}/c/pay/{payment.checkout_session_id}", method="POST",  # noqa: S310
                                     data=urllib.parse.urlencode({"outcome": outcome}).encode())

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(Stay).open(request)
    except urllib.error.HTTPError as redirect:
        return redirect.headers["Location"]
    raise AssertionError("the payment page did not redirect")


def events(stripe_double, event_type=None) -> list[dict]:
    return [event for event in stripe_double.double.events if event_type in (None, event["type"])]


def deliver(client, event: dict, *, secret: str = "whsec_double", timestamp: int | None = None):  # noqa: S107
    body = json.dumps(event).encode()
    return client.post(WEBHOOK, data=body, content_type="application/json",
                       headers={"Stripe-Signature": sign(body, secret, timestamp)})


def test_checkout_asks_stripe_for_the_held_seat_in_euros_and_keeps_the_seat_as_long_as_the_page(
        held, stripe_double):
    payment = start(held)

    session = stripe_double.double.sessions[payment.checkout_session_id]
    assert session["amount_total"] == 49500 and session["currency"] == "eur"
    assert session["payment_method_types"] == ["ideal", "card", "bancontact"]
    assert session["customer_email"] == held.user.email
    assert session["client_reference_id"] == str(held.pk) and session["metadata"]["enrolment"] == str(held.pk)
    assert "Basistraining 2e spoorcoaching" in session["_line_items"][0]["price_data"]["product_data"]["name"]
    assert payment.checkout_url == session["url"] and payment.amount == held.price_incl_vat
    held.refresh_from_db()
    assert held.hold_expires_at == payment.expires_at  # the seat and the page end together
    assert int(payment.expires_at.timestamp()) - session["created"] >= 30 * 60  # Stripe's minimum
    assert start(held) == payment  # pressing pay again reuses the open page


@pytest.mark.parametrize("fault", [{"fail_next": 1, "fail_status": 500}, {"delay_next": 1, "delay_seconds": 4}])
def test_when_stripe_fails_or_hangs_the_person_is_told_and_the_hold_stays(held, stripe_double, client, fault):
    for name, value in fault.items():
        setattr(stripe_double.double, name, value)
    client.force_login(held.user)

    response = client.post(reverse("places:pay", args=[held.pk]), follow=True)

    assert "niet bereikbaar" in response.content.decode()
    assert not Payment.objects.exists()
    held.refresh_from_db()
    assert held.status == Enrolment.Status.HELD


def test_enrolling_sends_the_coach_to_the_payment_page(course, stripe_double, client):
    course_date = make_date(course, capacity=3)
    client.force_login(UserFactory())

    response = client.post(reverse("places:enrol", args=[course_date.pk]),
                           {"billing_type": "self", "accept_terms": "on"})

    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == payment.checkout_url
    assert response["Location"].startswith(stripe_double.url + "/c/pay/cs_test_")


def test_a_winning_press_looks_at_the_date_once_and_stretches_its_hold_without_a_savepoint(
        course, stripe_double, client):
    """In a rush every winner's round trips queue with everyone else's: the unlocked first look that refuses a full
    date is made once, and stretching the hold to the payment page shares the transaction that records the page."""
    course_date = make_date(course, capacity=3)
    client.force_login(UserFactory())

    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("places:enrol", args=[course_date.pk]),
                               {"billing_type": "self", "accept_terms": "on"})

    assert response["Location"] == Payment.objects.get().checkout_url
    statements = [query["sql"] for query in queries.captured_queries]
    unlocked_reads_of_places = [sql for sql in statements if sql.startswith("SELECT")
                                and 'FROM "courses_enrolment"' in sql and "FOR UPDATE" not in sql]
    assert len(unlocked_reads_of_places) == 2  # the first look, and the seating under the date's lock
    # Inside the test's own transaction each of the press's two transactions (the hold; the page and its stretch
    # of the hold) is a savepoint: the stretch opens none of its own.
    assert len([sql for sql in statements if sql.startswith("SAVEPOINT")]) == 2


def test_a_press_reads_the_courses_terms_without_the_long_texts_of_its_page(course, stripe_double, client):
    """A course page's description and programme run to kilobytes: a press of "enrol" (winning or refused) or of
    "waitlist" reads the course's terms and prices without them, and nothing it does reads them afterwards."""
    course.body = [("paragraph", "<p>" + "Spoor 2 vraagt om een coach die de werknemer ziet. " * 40 + "</p>")]
    course.save_revision().publish()
    course_date = make_date(course, capacity=1)
    presses = []
    # the first wins the seat (on to Stripe's page), the second finds the date full, the third joins its waitlist
    for route in ("places:enrol", "places:enrol", "places:waitlist"):
        client.force_login(UserFactory())
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse(route, args=[course_date.pk]),
                                   {"billing_type": "self", "accept_terms": "on"})
        presses.append((response["Location"], [query["sql"] for query in queries.captured_queries]))

    (won_at, _), (refused_at, _), (waiting_at, _) = presses
    assert won_at == Payment.objects.get().checkout_url
    assert refused_at == course.url  # back to the course page, with "full: join the waitlist"
    assert waiting_at == reverse("places:enrolment", args=[Enrolment.objects.get(status="waitlisted").pk])
    for _, statements in presses:
        read_the_course = [sql for sql in statements if '"courses_coursepage"' in sql]
        assert read_the_course  # the course's terms are read with the date
        for sql in read_the_course:
            assert not any(f'"courses_coursepage"."{text}"' in sql for text in ("body", "programme", "target_group",
                                                                                  "learning_goals")), sql


def test_a_second_payment_page_is_asked_of_stripe_over_the_connection_the_first_opened(course, stripe_double,
                                                                                        client):
    """Stripe keeps a connection open for the next request: asking over it saves a TLS handshake per payment page."""
    course_date = make_date(course, capacity=3)
    opened = []
    for _ in range(2):
        client.force_login(UserFactory())
        response = client.post(reverse("places:enrol", args=[course_date.pk]),
                               {"billing_type": "self", "accept_terms": "on"})
        assert response["Location"].startswith(stripe_double.url + "/c/pay/cs_test_")
        opened.append(stripe_double.double.connections)

    assert Payment.objects.count() == 2
    # The double's count starts at 0 in each test; the first page may go over a connection an earlier test opened.
    assert opened[1] == opened[0] <= 1


def test_a_connection_to_stripe_left_idle_too_long_is_not_used_again(course, stripe_double, client, monkeypatch):
    """A firewall on the way may forget an idle connection without a word: after a quiet spell a new one is
    opened, instead of a request waiting on the old one for the whole timeout."""
    monkeypatch.setattr(checkout, "KEPT_IDLE_SECONDS", 0)
    course_date = make_date(course, capacity=3)
    opened = []
    for _ in range(2):
        client.force_login(UserFactory())
        client.post(reverse("places:enrol", args=[course_date.pk]), {"billing_type": "self", "accept_terms": "on"})
        opened.append(stripe_double.double.connections)

    assert Payment.objects.count() == 2 and opened[1] == opened[0] + 1


def test_a_press_on_a_full_date_is_told_so_at_once_whatever_its_form_says(course, client):
    course_date = make_date(course, capacity=1)
    enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=course_date, user=UserFactory(), billing=seating.Billing()))
    client.force_login(UserFactory())

    response = client.post(reverse("places:enrol", args=[course_date.pk]), {"billing_type": "employer"}, follow=True)

    assert response.redirect_chain[-1][0] == course.url
    assert "Deze datum is vol" in response.content.decode()
    assert course_date.enrolments.count() == 1 and not Payment.objects.exists()


def test_opening_the_form_of_a_date_that_filled_up_meanwhile_leads_to_its_waitlist(course, client):
    course_date = make_date(course, capacity=1)
    enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=course_date, user=UserFactory(), billing=seating.Billing()))
    client.force_login(UserFactory())

    response = client.get(reverse("places:enrol", args=[course_date.pk]), follow=True)  # a link in a mail

    assert response.redirect_chain[-1][0] == course.url
    page = response.content.decode()
    assert "Deze datum is vol" in page and "Zet me op de wachtlijst" in page


def test_a_press_on_a_full_date_whose_enrolment_closed_is_told_it_closed(course, client):
    course_date = make_date(course, capacity=1)
    enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=course_date, user=UserFactory(), billing=seating.Billing()))
    course_date.enrolment_deadline = timezone.now() - timedelta(hours=1)
    course_date.save(update_fields=["enrolment_deadline"])
    client.force_login(UserFactory())

    response = client.post(reverse("places:enrol", args=[course_date.pk]),
                           {"billing_type": "self", "accept_terms": "on"}, follow=True)

    page = response.content.decode()
    assert "De inschrijving voor deze datum is gesloten" in page and "Deze datum is vol" not in page


def test_a_paid_session_confirms_the_place_once_however_often_it_is_delivered(held, stripe_double, client):
    payment = start(held)
    assert hosted_page(stripe_double, payment, "paid") == "http://testserver/paid/"
    [completed] = events(stripe_double, "checkout.session.completed")

    first, again = deliver(client, completed), deliver(client, completed)

    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    held.refresh_from_db()
    payment.refresh_from_db()
    assert held.status == Enrolment.Status.CONFIRMED and payment.status == Payment.Status.PAID
    assert payment.payment_intent_id.startswith("pi_test_")
    assert history(held).filter(action="enrolment.confirmed").count() == 1
    assert StripeEvent.objects.count() == 1


def test_a_bad_or_stale_signature_is_refused_and_changes_nothing(held, stripe_double, client):
    payment = start(held)
    hosted_page(stripe_double, payment, "paid")
    [completed] = events(stripe_double, "checkout.session.completed")

    assert deliver(client, completed, secret="whsec_someone_else").status_code == 400
    assert deliver(client, completed, timestamp=int(time.time()) - 3600).status_code == 400
    assert client.post(WEBHOOK, data=b"{}", content_type="application/json").status_code == 400

    assert not StripeEvent.objects.exists()
    held.refresh_from_db()
    assert held.status == Enrolment.Status.HELD


def test_expired_after_completed_changes_nothing(held, stripe_double, client):
    payment = start(held)
    hosted_page(stripe_double, payment, "paid")
    [completed] = events(stripe_double, "checkout.session.completed")
    expired = {**completed, "id": "evt_test_late_expiry", "type": "checkout.session.expired",
               "data": {"object": {**completed["data"]["object"], "status": "expired"}}}

    deliver(client, completed)
    deliver(client, expired)

    held.refresh_from_db()
    payment.refresh_from_db()
    assert held.status == Enrolment.Status.CONFIRMED and payment.status == Payment.Status.PAID


def test_a_delayed_payment_is_processing_until_it_succeeds(held, stripe_double, client):
    payment = start(held)
    hosted_page(stripe_double, payment, "delayed_paid")
    completed, succeeded = events(stripe_double)

    deliver(client, completed)
    payment.refresh_from_db()
    held.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING and held.status == Enrolment.Status.HELD

    deliver(client, succeeded)
    payment.refresh_from_db()
    held.refresh_from_db()
    assert payment.status == Payment.Status.PAID and held.status == Enrolment.Status.CONFIRMED


def test_success_arriving_before_completed_is_applied_once(held, stripe_double, client):
    payment = start(held)
    hosted_page(stripe_double, payment, "delayed_paid")
    completed, succeeded = events(stripe_double)

    deliver(client, succeeded)
    deliver(client, completed)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert history(held).filter(action="enrolment.confirmed").count() == 1


def test_a_failed_delayed_payment_keeps_the_hold_for_another_try(held, stripe_double, client):
    payment = start(held)
    hosted_page(stripe_double, payment, "delayed_failed")
    for event in events(stripe_double):
        deliver(client, event)

    payment.refresh_from_db()
    held.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and held.status == Enrolment.Status.HELD
    client.force_login(held.user)
    page = client.get(reverse("places:return", args=[held.pk])).content.decode()
    assert "niet gelukt" in page and reverse("places:pay", args=[held.pk]) in page


def test_an_expired_payment_page_frees_the_seat_for_the_next_in_line(held, stripe_double, client):
    payment = start(held)
    waiting = waitlists.waitlist_join(course_date=held.course_date, user=UserFactory())
    stripe_double.double.session_expire(payment.checkout_session_id)
    [expired] = events(stripe_double, "checkout.session.expired")

    deliver(client, expired)

    held.refresh_from_db()
    waiting.refresh_from_db()
    assert held.status == Enrolment.Status.EXPIRED and waiting.status == Enrolment.Status.OFFERED


def test_money_for_a_session_we_never_recorded_is_not_lost(held, stripe_double, client):
    payment = start(held)
    session_id = payment.checkout_session_id
    payment.delete()  # as if our save had failed after Stripe created the session
    stripe_double.double.pay(session_id, "paid")
    [completed] = events(stripe_double, "checkout.session.completed")

    deliver(client, completed)

    recorded = Payment.objects.get(checkout_session_id=session_id)
    held.refresh_from_db()
    assert recorded.status == Payment.Status.PAID and held.status == Enrolment.Status.CONFIRMED


def test_paid_after_the_hold_ran_out_and_the_seat_is_gone_is_refunded_and_everyone_told(
        held, stripe_double, client, django_capture_on_commit_callbacks, mailoutbox):
    ProviderSettings.objects.update_or_create(defaults={"email": "office@example.org"})
    payment = start(held)
    later = timezone.now() + timedelta(hours=2)
    rival = enrolments.enrolment_hold(course_date=held.course_date, user=UserFactory(),
                                      billing=seating.Billing(), now=later)
    assert rival.status == Enrolment.Status.HELD  # the seat went to someone else after the hold ran out
    stripe_double.double.pay(payment.checkout_session_id, "paid")

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, events(stripe_double, "checkout.session.completed")[0])

    payment.refresh_from_db()
    held.refresh_from_db()
    assert payment.status == Payment.Status.PAID and held.status == Enrolment.Status.EXPIRED
    [refund] = payment.refunds.all()
    assert (refund.status, refund.amount) == (Refund.Status.SUCCEEDED, payment.amount)
    assert stripe_double.double.payments[payment.payment_intent_id]["refunded"] == 49500
    assert sorted(message.to[0] for message in mailoutbox) == sorted(["office@example.org", held.user.email])
    assert "terug" in mailoutbox[0].body


def test_the_return_page_asks_stripe_itself_when_the_webhook_is_late_and_shows_the_place_paid(
        held, stripe_double, client):
    payment = start(held)
    assert hosted_page(stripe_double, payment, "paid") == "http://testserver/paid/"  # no webhook delivered
    client.force_login(held.user)
    status = client.get(reverse("places:status", args=[held.pk])).json()  # the page's first look

    assert status == {"state": "confirmed/paid"}
    response = client.get(reverse("places:return", args=[held.pk]), follow=True)
    assert "Je plaats is bevestigd" in response.content.decode()
    [completed] = events(stripe_double, "checkout.session.completed")
    assert deliver(client, completed).json()["duplicate"] is False  # the late webhook changes nothing more
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.invoices.count() == 1


def test_the_return_page_of_an_unpaid_session_still_says_processing_without_changing_anything(held, stripe_double,
                                                                                                client):
    payment = start(held)
    client.force_login(held.user)
    client.get(reverse("places:return", args=[held.pk]))
    payment.refresh_from_db()
    held.refresh_from_db()
    assert payment.status == Payment.Status.OPEN and held.status == Enrolment.Status.HELD

"""Refunds through the Stripe test double: after a cancellation by the policy, instead of another date when the
office calls a date off, made at Stripe by hand, and retried safely after a network failure."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import enrolments, schedule, seating, waitlists
from courses.models import Enrolment
from payments import checkout as payments_checkout
from payments import refunds
from payments.models import Payment, Refund
from places import changes, reconcile
from tests.factories import UserFactory, make_date, make_trainer
from tests.payments.test_checkout_and_webhooks import deliver, events, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(course, stripe_double, client, django_capture_on_commit_callbacks):
    """A confirmed place, paid on Stripe's (the double's) page, 30 days before the date."""
    course.free_cancellation_days, course.late_cancellation_refund_percent = 14, 50
    course.save()
    course_date = make_date(course, capacity=3)
    held = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    payment = start(held)
    stripe_double.double.pay(payment.checkout_session_id, "paid")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, events(stripe_double, "checkout.session.completed")[0])
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    return payment


def refunded_at_stripe(stripe_double, payment) -> int:
    return stripe_double.double.payments[payment.payment_intent_id]["refunded"]


@pytest.mark.parametrize(("days_before", "cents"), [(30, 49500), (7, 24750), (-1, 0)])
def test_a_cancellation_refunds_what_the_policy_gives(paid, stripe_double, django_capture_on_commit_callbacks,
                                                      days_before, cents):
    starts_at = paid.enrolment.course_date.starts_at
    with django_capture_on_commit_callbacks(execute=True):
        changes.place_cancel(enrolment=paid.enrolment, actor=paid.enrolment.user,
                              now=starts_at - timedelta(days=days_before), by_office=days_before < 0)

    assert refunded_at_stripe(stripe_double, paid) == cents
    assert [refund.amount for refund in paid.refunds.filter(status=Refund.Status.SUCCEEDED)] == (
        [Decimal(cents) / 100] if cents else [])


def test_cancelling_a_place_the_office_already_refunded_in_full_refunds_nothing_more(
        paid, stripe_double, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_request(payment=paid, reason="goodwill")
        changes.place_cancel(enrolment=paid.enrolment, actor=paid.enrolment.user)

    assert Enrolment.objects.get(pk=paid.enrolment_id).status == Enrolment.Status.CANCELLED
    assert refunded_at_stripe(stripe_double, paid) == 49500 and paid.refunds.count() == 1


def test_a_refund_that_cannot_reach_stripe_stays_pending_and_is_sent_once_later(paid, stripe_double):
    stripe_double.double.fail_next = 1
    refund = refunds.refund_request(payment=paid, amount=Decimal("100.00"), reason="goodwill")
    assert refunds.refund_send(refund=refund).status == Refund.Status.PENDING

    assert refunds.refund_send(refund=refund).status == Refund.Status.SUCCEEDED
    assert refunds.refund_send(refund=refund).status == Refund.Status.SUCCEEDED
    assert refunded_at_stripe(stripe_double, paid) == 10000


def test_never_more_is_refunded_than_was_paid(paid):
    refunds.refund_request(payment=paid, amount=Decimal("400.00"), reason="first")
    with pytest.raises(payments_checkout.PaymentError, match="95,00"):
        refunds.refund_request(payment=paid, amount=Decimal("100.00"), reason="second")


def test_a_refund_made_in_stripes_dashboard_is_recorded_from_its_event(paid, stripe_double, client,
                                                                       django_capture_on_commit_callbacks):
    stripe_double.double.refund_create({"payment_intent": paid.payment_intent_id, "amount": "5000"})
    [refunded] = events(stripe_double, "charge.refunded")

    with django_capture_on_commit_callbacks(execute=True):  # a task asks Stripe after the webhook's commit
        assert deliver(client, refunded).status_code == 200
        deliver(client, refunded)

    [refund] = paid.refunds.all()
    assert (refund.amount, refund.status) == (Decimal("50.00"), Refund.Status.SUCCEEDED)


def test_a_called_off_date_is_refunded_on_request_or_after_the_choice_period_never_with_a_move(
        paid, course, stripe_double, client, django_capture_on_commit_callbacks):
    enrolment = paid.enrolment
    other = make_date(course, capacity=3, starts_in=timedelta(days=60))
    schedule.course_date_cancel(course_date=enrolment.course_date, actor=None)
    client.force_login(enrolment.user)
    assert "Ik wil mijn geld terug" in client.get(reverse("places:enrolment", args=[enrolment.pk])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("places:refund_instead", args=[enrolment.pk]))
        client.post(reverse("places:refund_instead", args=[enrolment.pk]))

    assert refunded_at_stripe(stripe_double, paid) == 49500 and paid.refunds.count() == 1
    with pytest.raises(seating.EnrolmentError):
        changes.place_move(enrolment=Enrolment.objects.get(pk=enrolment.pk), to_date=other, actor=None)


def test_places_on_a_called_off_date_that_moved_are_not_refunded_and_the_rest_are_after_a_week(
        paid, course, stripe_double, django_capture_on_commit_callbacks):
    enrolment = paid.enrolment
    schedule.course_date_cancel(course_date=enrolment.course_date, actor=None)
    assert changes.cancelled_dates_refund(now=timezone.now() + timedelta(days=6)) == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert changes.cancelled_dates_refund(now=timezone.now() + timedelta(days=8)) == 1
    assert refunded_at_stripe(stripe_double, paid) == 49500
    assert changes.cancelled_dates_refund(now=timezone.now() + timedelta(days=9)) == 0


def test_reconciliation_applies_what_lost_webhooks_left_undone(course, stripe_double, client,
                                                               django_capture_on_commit_callbacks):
    stripe_double.double.deliver_webhooks = False
    course_date = make_date(course, capacity=3)
    paid_place, expired_place = (
        enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
        for _ in range(2))
    paid_payment, expired_payment = start(paid_place), start(expired_place)
    stripe_double.double.pay(paid_payment.checkout_session_id, "paid")
    stripe_double.double.session_expire(expired_payment.checkout_session_id)
    stripe_double.double.refund_create({"payment_intent": stripe_double.double.sessions[
        paid_payment.checkout_session_id]["payment_intent"], "amount": "1000"})

    with django_capture_on_commit_callbacks(execute=True):
        first = reconcile.reconcile()
    again = reconcile.reconcile()

    paid_place.refresh_from_db()
    expired_place.refresh_from_db()
    assert paid_place.status == Enrolment.Status.CONFIRMED and expired_place.status == Enrolment.Status.EXPIRED
    assert [refund.amount for refund in Payment.objects.get(pk=paid_payment.pk).refunds.all()] == [Decimal("10.00")]
    assert first == {"sessions": 2, "refunds_recorded": 1, "refunds_sent": 0, "invoices_issued": 0}
    assert again == {"sessions": 0, "refunds_recorded": 0, "refunds_sent": 0, "invoices_issued": 0}


def test_the_trainers_list_shows_where_each_places_money_stands(paid, client, django_assert_num_queries):
    course_date = paid.enrolment.course_date
    trainer = make_trainer()
    course_date.trainers.add(trainer)
    waiting = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(full_name="Wil Wachter"),
                                        billing=seating.Billing())
    start(waiting)
    by_hand = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(full_name="Olga Office"),
                                        billing=seating.Billing())
    enrolments.enrolment_confirm(enrolment=by_hand)  # the office confirms a place paid some other way
    client.force_login(trainer)
    page = f"/admin/trainer/dates/{course_date.pk}/"

    def payment_column() -> dict[str, str]:
        """The participant list's "Betaling" column, by participant name."""
        html = client.get(page).content.decode().split('<table class="listing">')[1]
        cells = [[re.sub(r"<[^>]+>|\s+", " ", cell).strip()
                  for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
                 for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
        column = cells[0].index("Betaling")
        return {" ".join(row[0].split()[:2]): row[column] for row in cells[1:]}  # name (then the email)

    assert set(payment_column().values()) == {"Betaald € 495,00", "Wacht op betaling", "Niet online betaald"}
    assert payment_column()["Olga Office"] == "Niet online betaald"
    assert payment_column()["Wil Wachter"] == "Wacht op betaling"

    refunds.refund_request(payment=paid, amount=Decimal("100.00"), reason="goodwill")
    assert "Betaald € 495,00, € 100,00 terugbetaald" in payment_column().values()
    refunds.refund_request(payment=paid, reason="the rest")
    assert "Terugbetaald € 495,00" in payment_column().values()

    rows = list(csv.reader(io.StringIO(client.get(page + "export.csv").content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    paid_row = next(row for row in rows if row[header.index("Betaling")] == "Terugbetaald €\u00a0495,00")
    assert (paid_row[header.index("Betaald")], paid_row[header.index("Terugbetaald")]) == ("495,00", "495,00")

    with CaptureQueriesContext(connection) as three_places:
        client.get(page)
    waitlists.waitlist_join(course_date=course_date, user=UserFactory())  # the date is full now
    with django_assert_num_queries(len(three_places.captured_queries)):  # whatever the number of places
        client.get(page)


def test_what_was_paid_follows_a_transferred_place_and_its_cancellation_refunds_by_the_policy(
        paid, course, client, stripe_double, django_capture_on_commit_callbacks):
    [invoice] = paid.invoices.all()
    later = make_date(course, starts_in=timedelta(days=60))
    moved = changes.place_move(enrolment=paid.enrolment, to_date=later, actor=None)

    client.force_login(moved.user)
    page = client.get(reverse("places:enrolment", args=[moved.pk])).content.decode()
    assert invoice.number in page
    with django_capture_on_commit_callbacks(execute=True):
        changes.place_cancel(enrolment=moved, actor=moved.user)  # 60 days ahead: free cancellation

    assert refunded_at_stripe(stripe_double, paid) == 49500
    assert paid.refunds.get().credit_invoice.credits == invoice
    with django_capture_on_commit_callbacks(execute=True):  # the old place cannot be refunded a second time
        assert changes.refund_instead_of_another_date(enrolment=paid.enrolment) is False


def test_a_place_paid_outside_stripe_that_is_cancelled_asks_the_office_to_refund_by_hand(
        course, django_capture_on_commit_callbacks, mailoutbox):
    from core.models import ProviderSettings

    ProviderSettings.objects.update_or_create(pk=ProviderSettings.load().pk, defaults={"email": "office@example.org"})
    course_date = make_date(course)  # 30 days ahead: free cancellation, all of € 495 back
    place = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(full_name="Bo Bank"),
                                      billing=seating.Billing())
    enrolments.enrolment_confirm(enrolment=place)  # paid by bank transfer; the office confirmed it
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        changes.place_cancel(enrolment=place, actor=place.user)

    [mail] = [message for message in mailoutbox if message.to == ["office@example.org"]]  # and the coach's own
    assert mail.subject == "Terugbetalen met de hand: €\u00a0495,00 aan Bo Bank"
    assert f"/admin/trainer/dates/{course_date.pk}/" in mail.body
    assert not Refund.objects.exists()


def test_a_called_off_date_refunds_a_place_paid_outside_stripe_by_hand_and_one_refunded_already_not_again(
        paid, course, client, django_capture_on_commit_callbacks, mailoutbox):
    from core.models import ProviderSettings

    ProviderSettings.objects.update_or_create(pk=ProviderSettings.load().pk, defaults={"email": "office@example.org"})
    course_date = paid.enrolment.course_date
    by_bank = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(full_name="Bo Bank"),
                                        billing=seating.Billing())
    enrolments.enrolment_confirm(enrolment=by_bank)
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_request(payment=paid, reason="goodwill, before the date was called off")
        schedule.course_date_cancel(course_date=course_date, actor=None)
    mailoutbox.clear()

    for place in (by_bank, paid.enrolment):
        client.force_login(place.user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("places:refund_instead", args=[place.pk]), follow=True)
        assert "We betalen het volledige bedrag terug" in response.content.decode()

    [office] = mailoutbox
    assert office.to == ["office@example.org"] and "Bo Bank" in office.subject
    assert paid.refunds.count() == 1  # the goodwill refund; nothing is left to give back
    assert changes.cancelled_dates_refund(now=timezone.now() + timedelta(days=30)) == 0


def test_the_office_reads_its_copy_of_a_returned_payment_in_dutch_whatever_the_participants_language(
        paid, mailoutbox):
    from core.models import ProviderSettings
    from payments.notifications import send_payment_returned

    ProviderSettings.objects.update_or_create(pk=ProviderSettings.load().pk, defaults={"email": "office@example.org"})
    paid.enrolment.user.language = "en"
    paid.enrolment.user.save(update_fields=["language"])
    mailoutbox.clear()

    send_payment_returned.call(payment_id=paid.pk)

    person, office = sorted(mailoutbox, key=lambda mail: mail.to != [paid.enrolment.user.email])
    assert person.subject.startswith("Your payment for ")
    assert office.to == ["office@example.org"] and office.subject.startswith("Je betaling voor ")


def test_the_refund_webhook_asks_stripe_nothing_while_it_holds_the_payment(paid, stripe_double, client):
    """Stripe is asked after the webhook's transaction (by a task), never inside it with the payment locked."""
    from payments.models import StripeEvent

    stripe_double.double.refund_create({"payment_intent": paid.payment_intent_id, "amount": "5000"})
    [refunded] = events(stripe_double, "charge.refunded")

    assert deliver(client, refunded).status_code == 200  # the test's transaction never commits: no task runs

    assert not paid.refunds.exists()
    assert StripeEvent.objects.get(event_id=refunded["id"]).outcome == "refunds to be recorded"


def test_a_refund_stripe_refuses_says_why_and_the_office_tries_it_again(paid, stripe_double, client,
                                                                        django_capture_on_commit_callbacks):
    office = UserFactory(is_superuser=True)
    client.force_login(office)
    known = stripe_double.double.payments.pop(paid.payment_intent_id)  # Stripe no longer knows the payment
    with django_capture_on_commit_callbacks(execute=True):
        refused = refunds.refund_request(payment=paid, amount=Decimal("100.00"), reason="coulance", actor=office)
    refused.refresh_from_db()
    assert refused.status == Refund.Status.FAILED and "No such payment_intent" in refused.failure_reason

    page = client.get(reverse("refund:inspect", args=[refused.pk])).content.decode()
    assert "Terugbetaling mislukt" in page and "No such payment_intent" in page and "Opnieuw proberen" in page
    confirm = client.get(reverse("refund:retry", args=[refused.pk])).content.decode()
    assert "€\u00a0100,00" in confirm and Refund.objects.count() == 1  # asking changes nothing

    stripe_double.double.payments[paid.payment_intent_id] = known  # fixed at Stripe
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("refund:retry", args=[refused.pk]), {"confirmed": "1"})
    again = Refund.objects.exclude(pk=refused.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("refund:inspect", args=[again.pk])
    assert (again.amount, again.reason, again.status) == (Decimal("100.00"), "coulance", Refund.Status.SUCCEEDED)
    assert refunded_at_stripe(stripe_double, paid) == 10000
    assert client.post(reverse("refund:retry", args=[again.pk]), {"confirmed": "1"}).status_code == 302
    assert Refund.objects.count() == 2  # only a failed refund is tried again


def test_the_office_reads_a_refunded_payment_as_refunded_and_cannot_pick_it_for_another_refund(
        paid, stripe_double, client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        changes.place_cancel(enrolment=paid.enrolment, actor=paid.enrolment.user)  # 30 days before: all back

    listing = client.get(reverse("payment:index")).content.decode()
    assert "Terugbetaald" in listing
    form = client.get(reverse("refund:add")).context["form"]
    assert paid not in form.fields["payment"].queryset
    refund = paid.refunds.get()
    assert refund.reason == "geannuleerd door de deelnemer"  # the office's language, not the code's
    page = client.get(reverse("payment:inspect", args=[paid.pk])).content.decode()
    fields = page[page.index("<dl"):page.index("</dl>")]
    assert reverse("refund:inspect", args=[refund.pk]) in fields and "Terugbetaald" in fields
    assert "{'" not in fields and "None" not in fields and "+00:00" not in fields and "currency" not in fields


def test_the_demos_stripe_stand_in_knows_the_seeded_payments(stripe_double, tmp_path):
    import json

    from payments.stripe_double import main  # noqa: F401  (the option exists)

    stripe_double.double.payments_paid_before({"pi_demo_7": 49500})
    refund = stripe_double.double.refund_create({"payment_intent": "pi_demo_7", "amount": "24750"})
    assert refund["status"] == "succeeded" and refunded_at_stripe_by_id(stripe_double, "pi_demo_7") == 24750
    assert json.dumps({"pi_demo_7": 49500})


def refunded_at_stripe_by_id(stripe_double, intent_id: str) -> int:
    return stripe_double.double.payments[intent_id]["refunded"]


def test_the_payments_listing_asks_the_same_queries_whatever_the_number_of_payments_and_refunds(
        paid, client, django_assert_num_queries):
    """The refunded amount comes with each row (a subquery for the page's rows), not from one query per row."""
    client.force_login(UserFactory(is_superuser=True))
    client.get(reverse("payment:index"))
    with CaptureQueriesContext(connection) as one_payment:
        assert "Betaald" in client.get(reverse("payment:index")).content.decode()
    for n in range(10):
        more = Payment.objects.create(enrolment=paid.enrolment, amount=Decimal("100.00"), status=Payment.Status.PAID,
                                      checkout_session_id=f"cs_test_more_{n}", payment_intent_id=f"pi_more_{n}",
                                      expires_at=paid.expires_at, paid_at=paid.paid_at)
        if n < 5:  # and five with nothing refunded
            Refund.objects.create(payment=more, amount=Decimal("40.00") if n else Decimal("100.00"),
                                  reason="coulance", status=Refund.Status.SUCCEEDED)
    with django_assert_num_queries(len(one_payment.captured_queries)):
        listing = client.get(reverse("payment:index")).content.decode()
    assert listing.count("Deels terugbetaald") == 4 and "Terugbetaald" in listing


def test_a_date_id_of_thousands_of_digits_is_a_message_not_a_server_error(client, paid):
    client.force_login(paid.enrolment.user)
    response = client.post(f"/enrolments/{paid.enrolment_id}/transfer/", {"date": "9" * 5000}, follow=True)
    assert response.status_code == 200 and "Kies een van de data hieronder." in response.content.decode()

"""One page per person: the office finds someone by name, email, register number, invoice number or certificate
number, sees their places, money, certificates, PE points, requests and history on one page, in a fixed number of
queries, and acts from there through the services, each after a step that says what happens. A trainer finds only
the people on their own dates and sees no money."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import RegisterMembership
from courses.models import Enrolment
from payments.models import Invoice, Payment, Refund
from privacy.models import DataExport
from tests.factories import UserFactory, confirmed_place, make_certificate, make_course, make_date, make_trainer
from tests.payments.test_checkout_and_webhooks import deliver, events

pytestmark = pytest.mark.django_db


def paid_place(course, person, stripe_double, client, **date_fields):
    """A place paid online through the Checkout and Stripe's webhook, as a coach pays."""
    course_date = make_date(course, **date_fields)
    client.force_login(person)
    response = client.post(reverse("places:enrol", args=[course_date.pk]),
                           {"billing_type": "self", "accept_terms": "on"})
    session_id = response["Location"].rsplit("/", 1)[-1]
    stripe_double.double.pay(session_id, "paid")
    client.logout()
    completed = [event for event in events(stripe_double, "checkout.session.completed")
                 if event["data"]["object"]["id"] == session_id]
    deliver(client, completed[0])
    return Enrolment.objects.get(course_date=course_date, user=person)


@pytest.fixture
def eva(course, stripe_double, client):
    eva = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    RegisterMembership.objects.create(user=eva, register="noloc", number="NL-20417")
    place = paid_place(course, eva, stripe_double, client)
    assert Payment.objects.get(enrolment=place).status == Payment.Status.PAID
    return eva


@pytest.fixture
def office():
    return UserFactory(is_superuser=True, full_name="Olga Office", email="olga@example.org")


def test_the_office_finds_a_person_by_name_email_register_invoice_or_certificate_number(course, eva, office, client):
    invoice = Invoice.objects.get(payment__enrolment__user=eva)
    certificate = make_certificate(course, eva, timezone.localdate(), [])
    UserFactory(full_name="Evert Anders", email="evert@example.org")
    client.force_login(office)
    for query in ("vries", "EVA@example", "NL-20417", invoice.number, certificate.number):
        page = client.get(reverse("office:people"), {"q": query}).content.decode()
        assert reverse("office:person", args=[eva.pk]) in page, query
        assert "Evert Anders" not in page, query
    assert "Niemand gevonden" in client.get(reverse("office:people"), {"q": "zzz-nobody"}).content.decode()
    # The admin's own search offers People.
    assert reverse("office:people") in client.get(reverse("wagtailadmin_pages:search") + "?q=vries").content.decode()


def test_a_persons_page_shows_places_money_certificates_and_history_in_a_fixed_number_of_queries(
        course, eva, office, client, stripe_double):
    client.force_login(office)
    url = reverse("office:person", args=[eva.pk])
    page = client.get(url).content.decode()
    invoice = Invoice.objects.get(payment__enrolment__user=eva)
    assert "Eva de Vries" in page and "Basistraining 2e spoorcoaching" in page
    assert "Betaald €\u00a0495,00" in page  # the place's money, as the office reads it
    assert invoice.number in page and "NL-20417" in page
    assert "Plaats bevestigd" in page  # the history of the place

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(3):  # one place per course: more courses
        other = make_course(course.get_parent().specific, title=f"Secure Base {number}", slug=f"secure-base-{number}")
        paid_place(other, eva, stripe_double, client)
    make_certificate(course, eva, timezone.localdate(), [])
    client.force_login(office)
    client.get(url)  # new pages emptied Wagtail's cached site roots: the first request finds them again
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


def test_a_long_list_shows_the_latest_and_says_how_many_there_are(course, eva, office, client, monkeypatch):
    monkeypatch.setattr("office.people.SHOWN", 2)
    for number in range(2):
        other = make_course(course.get_parent().specific, title=f"Intervisie {number}", slug=f"intervisie-{number}")
        confirmed_place(make_date(other, starts_in=timedelta(days=40 + number)), eva)
    client.force_login(office)
    page = client.get(reverse("office:person", args=[eva.pk])).content.decode()
    assert "De laatste 2 van 3." in page and f"{reverse('enrolment:index')}?q=eva%40example.org" in page
    assert "Basistraining 2e spoorcoaching" not in page.split("Facturen")[0]  # the oldest place is not listed


def test_the_office_cancels_a_place_after_a_step_that_says_what_goes_back(course, eva, office, client):
    place = Enrolment.objects.get(user=eva)
    client.force_login(office)
    url = reverse("office:place_cancel", args=[eva.pk, place.pk])
    step = client.post(url, {"reason": "Ziek gemeld"}).content.decode()
    assert "€\u00a0495,00" in step and "Ziek gemeld" in step  # how much goes back, and why
    place.refresh_from_db()
    assert place.status == Enrolment.Status.CONFIRMED  # nothing happened yet
    response = client.post(url, {"reason": "Ziek gemeld", "confirmed": "1"})
    assert response["Location"] == reverse("office:person", args=[eva.pk])
    place.refresh_from_db()
    assert place.status == Enrolment.Status.CANCELLED
    assert Refund.objects.get(payment__enrolment=place).amount == place.price_incl_vat

    without_reason = client.post(reverse("office:place_cancel", args=[eva.pk, place.pk]), {"reason": ""})
    assert without_reason.status_code == 404  # an ended place cannot be cancelled again


def test_the_office_sends_a_confirmation_and_an_invoice_again_and_it_is_in_the_history(
        course, eva, office, client, django_capture_on_commit_callbacks):
    place = Enrolment.objects.get(user=eva)
    invoice = Invoice.objects.get(payment__enrolment=place)
    client.force_login(office)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("office:confirmation_resend", args=[eva.pk, place.pk]))
        client.post(reverse("office:invoice_resend", args=[eva.pk, invoice.pk]))
    subjects = [message.subject for message in mail.outbox]
    assert any("bevestigd" in subject for subject in subjects), subjects
    assert any(invoice.number in subject for subject in subjects), subjects
    page = client.get(reverse("office:person", args=[eva.pk])).content.decode()
    assert "Bevestiging opnieuw verstuurd" in page

    someone_else = UserFactory()
    assert client.post(reverse("office:invoice_resend", args=[someone_else.pk, invoice.pk])).status_code == 404


def test_the_office_moves_a_place_from_the_persons_page_and_comes_back_to_it(course, eva, office, client):
    place = Enrolment.objects.get(user=eva)
    later = make_date(course, starts_in=timedelta(days=90))
    client.force_login(office)
    assert f'value="{later.pk}"' in client.get(reverse("office:person", args=[eva.pk])).content.decode()
    fields = {"to_date": later.pk, "reason": "Op verzoek", "next": reverse("office:person", args=[eva.pk])}
    url = reverse("places_trainer:place_move", args=[place.course_date_id, place.pk])
    assert "Op verzoek" in client.post(url, fields).content.decode()
    response = client.post(url, {**fields, "confirmed": "1"})
    assert response["Location"] == reverse("office:person", args=[eva.pk])
    assert Enrolment.objects.get(user=eva, status=Enrolment.Status.CONFIRMED).course_date == later
    # A `next` that leads off the admin is ignored.
    other = Enrolment.objects.get(user=eva, status=Enrolment.Status.CONFIRMED)
    response = client.post(reverse("places_trainer:place_move", args=[later.pk, other.pk]), {
        **fields, "to_date": place.course_date_id, "next": "https://evil.example/", "confirmed": "1"})
    assert response["Location"] == reverse("courses_trainer:date", args=[later.pk])


def test_the_office_prepares_a_copy_of_the_data_for_the_person(eva, office, client,
                                                               django_capture_on_commit_callbacks):
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("office:data_copy", args=[eva.pk]))
    assert DataExport.objects.filter(user=eva).exists()
    assert any(message.to == ["eva@example.org"] for message in mail.outbox)


def test_a_trainer_finds_only_the_people_on_their_own_dates_and_sees_no_money(course, eva, client):
    trainer = make_trainer(email="tineke@example.org")
    place = Enrolment.objects.get(user=eva)
    place.course_date.trainers.add(trainer)
    stranger = UserFactory(full_name="Eva Elders")
    confirmed_place(make_date(course, starts_in=timedelta(days=70)), stranger)
    client.force_login(trainer)
    found = client.get(reverse("office:people"), {"q": "eva"}).content.decode()
    assert "Eva de Vries" in found and "Eva Elders" not in found
    invoice = Invoice.objects.get(payment__enrolment=place)
    assert "Eva de Vries" not in client.get(reverse("office:people"), {"q": invoice.number}).content.decode()
    page = client.get(reverse("office:person", args=[eva.pk])).content.decode()
    assert "Basistraining" in page and "€" not in page and invoice.number not in page and "NL-20417" in page
    assert client.get(reverse("office:person", args=[stranger.pk])).status_code == 404
    refused = client.post(reverse("office:place_cancel", args=[eva.pk, place.pk]), {"reason": "x", "confirmed": "1"})
    assert refused["Location"] == reverse("wagtailadmin_home")  # Wagtail's answer to a permission denied
    place.refresh_from_db()
    assert place.status == Enrolment.Status.CONFIRMED

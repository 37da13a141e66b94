"""Seat squatting: anyone with a verified account can register an organisation. It books on invoice only after
the office approved it (paying online works at once); a refused organisation holds no seats."""

import pytest
from django.core import mail

from accounts.models import Organisation
from courses.models import Enrolment
from organisations import services
from payments.models import Payment, Refund
from places import bookings as places_bookings
from tests.factories import UserFactory, make_date, make_trainer
from tests.organisations.test_online_booking import hold, pay, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(client, course, django_capture_on_commit_callbacks):
    """Someone registers an organisation on the site, as anyone can."""
    from core.models import ProviderSettings

    ProviderSettings.objects.update_or_create(pk=ProviderSettings.load().pk,
                                              defaults={"email": "office@academy.example"})
    contact = UserFactory(email="squatter@example.com", full_name="Sam Squatter")
    client.force_login(contact)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/my/organisation/start/", {
            "name": "Bureau Bezet", "kvk_number": "12345678", "vat_id": "", "street": "Straat 1",
            "postcode": "1234 AB", "city": "Stad", "country": "NL",
            "invoice_email": "boekhouding@bezet.example", "default_reference": ""}, follow=True)
    organisation = Organisation.objects.get(name="Bureau Bezet")
    assert organisation.is_pending
    assert "zodra ons kantoor de organisatie heeft goedgekeurd" in response.content.decode()
    [to_office] = [message for message in mail.outbox if message.to == ["office@academy.example"]]
    assert "Goed te keuren: Bureau Bezet" in to_office.subject
    return type("Registered", (), {"organisation": organisation, "contact": contact, "date": make_date(course)})


def test_a_new_organisation_books_on_invoice_only_after_approval(client, registered):
    organisation, contact, course_date = registered.organisation, registered.contact, registered.date
    form = client.get(f"/my/organisation/{organisation.pk}/book/").content.decode()
    assert "wacht op goedkeuring door ons kantoor" in form
    assert 'value="invoice"' not in form and 'value="online"' in form  # only online is offered

    forged = client.post(f"/my/organisation/{organisation.pk}/book/", {
        "course_date": course_date.pk, "seats": 10, "payment_method": "invoice", "accept_terms": "on"})
    assert forged.status_code == 200 and not course_date.enrolments.exists()  # not a choice: refused
    with pytest.raises(places_bookings.BookingError, match="zodra het kantoor je organisatie heeft goedgekeurd"):
        places_bookings.booking_on_invoice(course_date=course_date, organisation=organisation, booked_by=contact,
                                            seats=10)
    assert not course_date.enrolments.exists()

    services.organisation_approve(organisation=organisation, actor=UserFactory(is_superuser=True))
    organisation.refresh_from_db()
    booking = places_bookings.booking_on_invoice(course_date=course_date, organisation=organisation,
                                                  booked_by=contact, seats=2)
    assert booking.places.filter(status=Enrolment.Status.CONFIRMED).count() == 2


def test_the_office_refuses_a_squatter_whose_seats_are_freed_and_whose_payment_goes_back(
        client, registered, stripe_double, django_capture_on_commit_callbacks):
    organisation, contact, course_date = registered.organisation, registered.contact, registered.date
    def committed(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    booking = hold(course_date, organisation, contact, seats=3)  # paying online works at once
    pay(client, stripe_double, committed, start(booking))
    assert course_date.enrolments.filter(status=Enrolment.Status.CONFIRMED).count() == 3
    office = UserFactory(email="office@example.org", is_superuser=True, is_staff=True)
    client.force_login(office)

    listing = client.get("/admin/organisations/approvals/").content.decode()
    assert "Bureau Bezet" in listing and "Sam Squatter" in listing
    asked = client.post(f"/admin/organisations/approvals/{organisation.pk}/refuse/", {"reason": "Onbekend bij KvK"})
    page = asked.content.decode()
    assert "0 vastgehouden en 3 bevestigde plaatsen" in page and "€\u00a01.485,00 die online is betaald" in page
    assert Organisation.objects.get(pk=organisation.pk).is_pending  # nothing happened before the confirmation

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/organisations/approvals/{organisation.pk}/refuse/",
                    {"reason": "Onbekend bij KvK", "confirmed": "1"})
    organisation.refresh_from_db()
    assert organisation.is_refused and organisation.refusal_reason == "Onbekend bij KvK"
    assert not Enrolment.objects.filter(booking=booking, status__in=Enrolment.SEATED).exists()  # holds no seats
    payment = Payment.objects.get(booking=booking)
    assert payment.refunds.get().amount == payment.amount
    assert payment.refunds.get().status == Refund.Status.SUCCEEDED
    [told] = [message for message in mail.outbox if message.to == [contact.email] and "goedgekeurd" in message.subject]
    assert "Bureau Bezet is niet goedgekeurd" == told.subject.removeprefix("[Spoor 2 Academy] ")
    assert "Onbekend bij KvK" in told.body and "volledig terugbetaald" in told.body

    client.force_login(contact)
    overview = client.get("/my/organisation/").content.decode()
    assert "niet goedgekeurd" in overview and f"/my/organisation/{organisation.pk}/book/" not in overview
    with pytest.raises(Exception, match="niet goedgekeurd"):
        from courses import bookings

        bookings.booking_create(course_date=course_date, organisation=organisation, booked_by=contact, seats=1,
                                online=True)


def test_approval_is_the_offices_and_an_organisation_the_office_enters_is_approved(client, registered):
    client.force_login(make_trainer())
    assert client.get("/admin/organisations/approvals/").status_code in (302, 403)
    assert client.post(f"/admin/organisations/approvals/{registered.organisation.pk}/approve/").status_code in (302,
                                                                                                                403)
    assert Organisation.objects.get(pk=registered.organisation.pk).is_pending

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.post("/admin/organisation/new/", {
        "name": "Bekend Bureau", "kvk_number": "87654321", "vat_id": "", "street": "Weg 2", "postcode": "1234 AB",
        "city": "Stad", "country": "NL",
        "invoice_email": "fin@bekend.example", "default_reference": ""})
    assert Organisation.objects.get(name="Bekend Bureau").is_approved


def test_organisations_that_booked_before_approval_existed_stay_approved():
    from importlib import import_module

    from django.apps import apps

    organisation = Organisation.objects.create(name="Oud", street="a", postcode="1234 AB", city="b",
                                               invoice_email="a@b.nl")
    assert organisation.is_pending
    import_module("accounts.migrations.0005_organisation_approval").approve_existing(apps, None)
    organisation.refresh_from_db()
    assert organisation.is_approved

"""A person pays their own place on invoice where the course allows it for individuals: confirmed at once with
the payment open, the invoice addressed to them (or their business), cancellation credited on it."""

from datetime import date, timedelta

import pytest
from django.core import mail

from courses.models import Enrolment, InvoicePayment
from payments import selectors, transfers
from payments.models import Invoice
from payments.selectors import payment_states
from places import bookings as places_bookings
from places import enrolling
from places.changes import place_move as place_transfer
from tests.factories import UserFactory, make_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_to_all(course):
    course.invoice_payment = InvoicePayment.EVERYONE
    course.save()
    return course


def enrol(client, course_date, **fields):
    data = {"billing_type": "self", "payment_method": "invoice", "accept_terms": "on", **fields}
    return client.post(f"/dates/{course_date.pk}/enrol/", data)


def test_a_zzp_coach_books_on_invoice_and_gets_it_addressed_to_their_business(
        client, open_to_all, django_capture_on_commit_callbacks):
    coach = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    course_date = make_date(open_to_all)
    client.force_login(coach)

    with django_capture_on_commit_callbacks(execute=True):
        response = enrol(client, course_date, billing_type="business", company_name="Eva Loopbaancoaching",
                         billing_street="Kerkstraat 3", billing_postcode="1234 AB", billing_city="Ergens",
                         company_kvk="87654321")

    place = Enrolment.objects.get(user=coach)
    assert response["Location"] == f"/enrolments/{place.pk}/"
    assert (place.status, place.booking.organisation) == (Enrolment.Status.CONFIRMED, None)
    invoice = Invoice.objects.get(booking=place.booking)
    assert (invoice.customer["company"], invoice.customer["email"]) == ("Eva Loopbaancoaching", "eva@example.org")
    assert invoice.due_at == invoice.issued_at + timedelta(days=14)
    assert [m.to for m in mail.outbox if invoice.number in m.subject] == [["eva@example.org"]]
    assert payment_states([place], now=invoice.issued_at)[place.pk].label == "Factuur open"
    page = client.get(f"/enrolments/{place.pk}/").content.decode()
    assert f"{invoice.number} (PDF)" in page and "te betalen vóór" in page
    assert client.get(f"/invoices/{invoice.number}.pdf").status_code == 200


def test_the_person_cancels_and_the_policy_is_credited_on_the_invoice(client, open_to_all):
    coach = UserFactory()
    course_date = make_date(open_to_all, starts_in=timedelta(days=30))
    client.force_login(coach)
    enrol(client, course_date)
    place = Enrolment.objects.get(user=coach)
    invoice = Invoice.objects.get(booking=place.booking)
    transfers.bank_transfer_record(invoice=invoice, amount=invoice.total, received_on=date.today(),
                                          actor=None)

    response = client.post(f"/enrolments/{place.pk}/cancel/", {"confirmed": "1"})

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == Enrolment.Status.CANCELLED
    credit = Invoice.objects.get(credits=invoice)
    assert credit.total == -invoice.total
    assert selectors.balance(invoice).to_pay_back == invoice.total


def test_on_invoice_is_not_offered_where_the_course_allows_it_for_organisations_only(client, course):
    coach = UserFactory()
    course_date = make_date(course)
    client.force_login(coach)
    assert "Op factuur" not in client.get(f"/dates/{course_date.pk}/enrol/").content.decode()

    enrol(client, course_date)  # a forged choice is ignored: the form has no such field, the seat is paid online

    place = Enrolment.objects.get(user=coach)
    assert (place.status, place.booking_id) == (Enrolment.Status.HELD, None)
    assert place.payments.count() == 1
    assert not Invoice.objects.filter(booking__isnull=False).exists()


def test_a_place_on_invoice_moved_to_another_date_stays_on_its_invoice(client, open_to_all):
    coach = UserFactory()
    course_date, later = make_date(open_to_all), make_date(open_to_all, starts_in=timedelta(days=60))
    client.force_login(coach)
    enrol(client, course_date)
    place = Enrolment.objects.get(user=coach)

    moved = place_transfer(enrolment=place, to_date=later, actor=coach)

    assert (moved.booking_id, moved.price_incl_vat) == (place.booking_id, place.price_incl_vat)
    assert payment_states([moved], now=moved.confirmed_at)[moved.pk].label == "Factuur open"


def test_my_courses_and_each_place_show_the_persons_own_invoices_never_an_organisations(client, open_to_all):
    from courses import enrolments, seating
    from payments.invoices import invoice_issue
    from payments.models import Payment
    from tests.factories import make_course, make_organisation

    catalogue = open_to_all.get_parent()
    second, third = (make_course(catalogue, title=title, slug=slug, invoice_payment=InvoicePayment.EVERYONE)
                     for title, slug in (("Secure Base", "secure-base"), ("Groepsprogramma", "groep")))
    coach = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    paid_place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=make_date(open_to_all, starts_in=timedelta(days=20)), user=coach, billing=seating.Billing()))
    paid = invoice_issue(payment=Payment.objects.create(
        enrolment=paid_place, amount=paid_place.price_incl_vat, status=Payment.Status.PAID, checkout_session_id="cs_x",
        expires_at=paid_place.confirmed_at, paid_at=paid_place.confirmed_at))
    own_place = enrolling.own_place_on_invoice(
        course_date=make_date(second, starts_in=timedelta(days=40)), user=coach, billing=seating.Billing())
    own = Invoice.objects.get(booking=own_place.booking)
    booking = places_bookings.booking_on_invoice(
        course_date=make_date(third, starts_in=timedelta(days=60)), organisation=make_organisation(),
        booked_by=UserFactory(), seats=1)
    booking.places.update(user=coach)  # the organisation's seat, named for her
    organisations = Invoice.objects.get(booking=booking)

    client.force_login(coach)
    rows = client.get("/my/courses/").content.decode().split('<li class="date-item">')[1:]
    assert [[number in row for number in (paid.number, own.number, organisations.number)] for row in rows] == [
        [True, False, False], [False, True, False], [False, False, False]]  # the soonest date first
    for place, shown in ((paid_place, paid), (own_place, own), (booking.places.get(), None)):
        page = client.get(f"/enrolments/{place.pk}/").content.decode()
        assert [number in page for number in (paid.number, own.number, organisations.number)] == [
            invoice == shown for invoice in (paid, own, organisations)]


def test_an_employers_invoice_address_gets_the_invoice_it_has_to_pay(
        client, open_to_all, django_capture_on_commit_callbacks, mailoutbox):
    coach = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    client.force_login(coach)
    with django_capture_on_commit_callbacks(execute=True):
        enrol(client, make_date(open_to_all), billing_type="employer", company_name="Jansen Re-integratie",
              billing_street="Kerkstraat 3", billing_postcode="1234 AB", billing_city="Ergens",
              company_contact="Piet Jansen", company_email="crediteuren@jansen.example")

    invoice = Enrolment.objects.get(user=coach).booking.invoices.get()
    [to_employer] = [m for m in mailoutbox if m.to == ["crediteuren@jansen.example"]]
    assert [name for name, *_ in to_employer.attachments][0] == f"{invoice.number}.pdf"
    assert invoice.payment_reference_printed in to_employer.body and "overmaken" in to_employer.body
    assert "Eva de Vries" in to_employer.body

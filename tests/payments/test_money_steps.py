"""No money moves without a step that states how much, to whom and why; mails say what happens to money: a credit
invoice its reason, a cancellation how much comes back and when."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from courses import enrolments, seating
from payments.models import BankTransfer, Invoice
from places import bookings as places_bookings
from places import changes
from tests.factories import UserFactory, mails_to_read, make_date, make_organisation
from tests.payments.test_refunds import paid  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client):
    client.force_login(UserFactory(email="kantoor@example.org", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def invoice(course, django_capture_on_commit_callbacks):
    contact = UserFactory(email="werkgever@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        booking = places_bookings.booking_on_invoice(course_date=make_date(course), organisation=make_organisation(
            contact), booked_by=contact, seats=3)
    return Invoice.objects.get(booking=booking, kind=Invoice.Kind.INVOICE)


def test_a_bank_transfer_typed_the_dutch_way_is_recorded_after_a_step_that_states_it(office, invoice):
    typed = {"invoice": invoice.pk, "amount": "1.485,00", "received_on": date.today().isoformat(),
             "note": "Bankafschrift 12"}
    form = office.get(f"/admin/banktransfer/new/?invoice={invoice.pk}").content.decode()
    assert "Overschrijving bekijken" in form and ">Toevoegen<" not in form

    asked = office.post("/admin/banktransfer/new/", typed)
    page = asked.content.decode()
    assert asked.status_code == 200 and "€\u00a01.485,00 vastleggen?" in page
    assert f"wordt geboekt op factuur {invoice.number} van Re-integratiebureau De Brug" in page
    assert "De factuur is dan helemaal betaald." in page and not BankTransfer.objects.exists()

    done = office.post("/admin/banktransfer/new/", {**typed, "confirmed": "1"})
    assert done.status_code == 302
    assert BankTransfer.objects.get().amount == Decimal("1485.00")  # never 1,485 nor 148.500

    ambiguous = office.post("/admin/banktransfer/new/", {**typed, "amount": "1.485"}).content.decode()
    assert "op twee manieren te lezen" in ambiguous


def test_the_office_credits_an_invoice_with_a_reason_the_customer_reads(office, invoice,
                                                                        django_capture_on_commit_callbacks):
    asked = office.post(f"/admin/invoice/{invoice.pk}/credit/", {"amount": "100", "reason": "Coulance: zaal te koud"})
    page = asked.content.decode()
    assert "€\u00a0100,00 crediteren?" in page and f"op factuur {invoice.number} gaat naar" in page
    assert "De factuur vraagt dan €\u00a01.385,00" in page
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT).exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        office.post(f"/admin/invoice/{invoice.pk}/credit/", {"amount": "100", "reason": "Coulance: zaal te koud",
                                                             "confirmed": "1"})
    credit = Invoice.objects.get(kind=Invoice.Kind.CREDIT)
    assert credit.total == Decimal("-100.00") and credit.reason == "Coulance: zaal te koud"
    to_customer = next(message for message in mail.outbox if message.to == ["facturen@debrug.example"])
    assert "Reden: Coulance: zaal te koud" in to_customer.body
    assert "geannuleerd" not in to_customer.body  # a goodwill credit cancelled no seats

    too_much = office.post(f"/admin/invoice/{invoice.pk}/credit/", {"amount": "1.385,01", "reason": "x"})
    assert "tussen €\u00a00,01 en €\u00a01.385,00" in too_much.content.decode()


@pytest.mark.parametrize(("days_before", "says"), [
    (30, "€\u00a0495,00 gaat terug naar de rekening of kaart waarmee je betaald hebt. Terugbetalingen komen meestal "
         "binnen 5 tot 10 werkdagen aan."),
    (7, "€\u00a0247,50 gaat terug naar de rekening of kaart"),
    (-1, "wordt er bij annuleren zo kort voor de datum niets terugbetaald"),
])
def test_the_cancellation_mail_says_how_much_comes_back_and_when(paid, django_capture_on_commit_callbacks,  # noqa: F811
                                                                 days_before, says):
    place = paid.enrolment
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changes.place_cancel(enrolment=place, actor=place.user, by_office=days_before < 0,
                              now=place.course_date.starts_at - timedelta(days=days_before))
    [told] = [message for message in mails_to_read(mail.outbox, place.user.email)
              if message.subject.startswith("Je plaats is afgemeld")]  # the cancellation
    assert says in told.body, told.body


def test_calling_off_a_date_states_the_money_first(office, course, django_capture_on_commit_callbacks):
    course_date = make_date(course)
    place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=course_date, user=UserFactory(), billing=seating.Billing()))
    from django.utils import timezone

    from payments.models import Payment

    Payment.objects.create(enrolment=place, amount=place.price_incl_vat, status=Payment.Status.PAID,
                           paid_at=timezone.now(), expires_at=timezone.now(), checkout_session_id="cs_1")
    asked = office.post(f"/admin/trainer/dates/{course_date.pk}/cancel/", {"reason": "Trainer ziek"})
    page = asked.content.decode()
    assert "1 bevestigde deelnemer verliest de plaats" in page
    assert "€\u00a0495,00 voor 1 plaatsen gaat volledig terug naar wie betaalde" in page
    course_date.refresh_from_db()
    assert course_date.is_scheduled

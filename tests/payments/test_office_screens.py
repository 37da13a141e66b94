"""The office's detail screens read as a person reads them: Dutch labels, local times, a customer as name and
address, and links between place, payment, refund, invoice and certificate."""

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import enrolments, seating
from payments.invoices import invoice_issue
from payments.models import Payment
from tests.factories import UserFactory, make_date

pytestmark = pytest.mark.django_db


def fields_of(page: str) -> str:
    return page[page.index("<dl"):page.index("</dl>")]


@pytest.fixture
def invoiced(course):
    coach = UserFactory(full_name="Eva de Vries")
    billing = seating.Billing(billing_type="employer", company_name="Jansen Re-integratie",
                                 billing_street="Stationsplein 1", billing_postcode="3511 AB",
                                 billing_city="Utrecht", company_reference="PO-17")
    place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=make_date(course), user=coach, billing=billing))
    payment = Payment.objects.create(enrolment=place, amount=place.price_incl_vat, status=Payment.Status.PAID,
                                     checkout_session_id="cs_x", payment_intent_id="pi_x", expires_at=timezone.now(),
                                     paid_at=timezone.now())
    return invoice_issue(payment=payment)


def test_an_invoice_reads_as_the_bookkeeper_reads_it_and_links_its_pdf_and_payment(client, invoiced):
    client.force_login(UserFactory(is_superuser=True))
    fields = fields_of(client.get(reverse("invoice:inspect", args=[invoiced.pk])).content.decode())

    assert "Jansen Re-integratie" in fields and "Stationsplein 1\n3511 AB Utrecht" in fields and "PO-17" in fields
    assert "€\u00a0495,00" in fields and "{'" not in fields and "None" not in fields
    assert "Year" not in fields and "Sequence" not in fields and "sha256" not in fields
    assert reverse("payment:inspect", args=[invoiced.payment_id]) in fields
    pdf = client.get(reverse("invoice:pdf", args=[invoiced.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert reverse("invoice:pdf", args=[invoiced.pk]) in fields

    payment = fields_of(client.get(reverse("payment:inspect", args=[invoiced.payment_id])).content.decode())
    assert reverse("invoice:inspect", args=[invoiced.pk]) in payment
    assert reverse("enrolment:inspect", args=[invoiced.payment.enrolment_id]) in payment
    place = fields_of(client.get(reverse("enrolment:inspect", args=[invoiced.payment.enrolment_id])).content.decode())
    assert reverse("payment:inspect", args=[invoiced.payment_id]) in place
    assert "aangemaakt" in place.lower() and "created at" not in place.lower()


def test_a_coach_cannot_open_the_offices_invoice_pdf(client, invoiced):
    client.force_login(invoiced.payment.enrolment.user)
    assert client.get(reverse("invoice:pdf", args=[invoiced.pk])).status_code in (302, 403)

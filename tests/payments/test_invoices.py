"""Invoices and credit invoices: issued when a place is paid and when money goes back, numbered without gaps,
with what Dutch rules require, downloadable only by the person they were issued to."""

import re
import threading
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection, connections
from django.urls import reverse
from pypdf import PdfReader

from core.models import ProviderSettings
from courses import enrolments, seating
from courses.forms import EnrolForm
from payments import invoices, refunds
from payments.models import Invoice, Payment
from places import reconcile
from tests.factories import UserFactory, make_date
from tests.payments.test_checkout_and_webhooks import deliver, events, start

pytestmark = pytest.mark.django_db


def pdf_text(invoice: Invoice) -> str:
    with invoice.pdf.open("rb") as pdf:
        return " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.read())).pages)


def pay(course_date, stripe_double, client, capture, *, billing=None):
    held = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(full_name="Eva de Vries"),
                                     billing=billing or seating.Billing())
    payment = start(held)
    stripe_double.double.pay(payment.checkout_session_id, "paid")
    with capture(execute=True):
        deliver(client, events(stripe_double, "checkout.session.completed")[-1])
    payment.refresh_from_db()
    return payment


def test_a_paid_place_gets_an_invoice_by_email_and_in_the_account(
        course, stripe_double, client, django_capture_on_commit_callbacks, mailoutbox):
    ProviderSettings.objects.update_or_create(defaults={"kvk_number": "12345678", "street_address": "Oudegracht 1",
                                                        "postcode": "3511 AA", "city": "Utrecht"})
    employer = seating.Billing(billing_type="employer", company_name="Jansen Re-integratie",
                                  billing_street="Stationsplein 1", billing_postcode="3511 AB",
                                  billing_city="Utrecht", company_contact="Piet Jansen",
                                  company_reference="PO-17", company_vat_id="NL001234567B01")
    payment = pay(make_date(course), stripe_double, client, django_capture_on_commit_callbacks, billing=employer)

    [invoice] = payment.invoices.all()
    assert invoice.number.endswith("-000001") and invoice.total == Decimal("495.00")
    assert invoice.vat_amount == 0 and "vrijgesteld" in invoice.vat_exemption_text.lower()
    text = pdf_text(invoice)
    for expected in [invoice.number, "Jansen Re-integratie", "PO-17", "NL001234567B01", "Eva de Vries",
                     "KvK 12345678", "Oudegracht 1", "€ 495,00", "Btw vrijgesteld"]:
        assert expected in text
    [mail] = [m for m in mailoutbox if any(name.endswith(".pdf") for name, *_ in m.attachments)]
    assert mail.attachments[0][0] == f"{invoice.number}.pdf" and invoice.number in mail.subject

    client.force_login(payment.enrolment.user)
    page = client.get(reverse("places:enrolment", args=[payment.enrolment.pk])).content.decode()
    download = client.get(reverse("payments:invoice", args=[invoice.number]))
    assert reverse("payments:invoice", args=[invoice.number]) in page
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")

    client.force_login(UserFactory())
    assert client.get(reverse("payments:invoice", args=[invoice.number])).status_code == 404


def test_standard_vat_is_split_out_of_the_price(course, stripe_double, client, django_capture_on_commit_callbacks):
    course.vat_treatment = "standard"
    course.save()
    payment = pay(make_date(course), stripe_double, client, django_capture_on_commit_callbacks)

    [invoice] = payment.invoices.all()
    assert (invoice.amount_excl_vat, invoice.vat_amount, invoice.total) == (
        Decimal("495.00"), Decimal("103.95"), Decimal("598.95"))
    assert "Btw 21%" in pdf_text(invoice)


def test_a_refund_gets_a_credit_invoice_that_refers_to_the_invoice(
        course, stripe_double, client, django_capture_on_commit_callbacks):
    payment = pay(make_date(course), stripe_double, client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_request(payment=payment, amount=Decimal("100.00"), reason="goodwill")

    invoice, credit = payment.invoices.order_by("sequence")
    assert credit.kind == Invoice.Kind.CREDIT and credit.credits == invoice and credit.total == Decimal("-100.00")
    assert credit.sequence == invoice.sequence + 1
    text = pdf_text(credit)
    assert "Creditfactuur" in text and re.search(rf"Crediteert factuur\s+{invoice.number}", text)
    assert "-€ 100,00" in text


@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_have_no_gaps_or_duplicates_under_concurrency(course):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    course_date = make_date(course, capacity=10)
    payments = []
    for _ in range(10):
        held = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
        payments.append(Payment.objects.create(enrolment=held, amount=Decimal("495.00"), status="paid",
                                               paid_at=held.created_at, checkout_session_id=f"cs_{held.pk}",
                                               expires_at=held.created_at + timedelta(hours=1)))
    barrier = threading.Barrier(len(payments))

    def issue(payment):
        barrier.wait()
        try:
            invoices.invoice_issue(payment=payment)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(payment,)) for payment in payments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == list(range(1, 11))


def test_a_paid_place_whose_invoice_task_was_lost_gets_it_from_the_reconciliation(
        course, stripe_double, client, django_capture_on_commit_callbacks):
    payment = pay(make_date(course), stripe_double, client, django_capture_on_commit_callbacks)
    payment.invoices.all().delete()

    assert reconcile.reconcile()["invoices_issued"] == 1
    assert reconcile.reconcile()["invoices_issued"] == 0
    assert payment.invoices.get().kind == Invoice.Kind.INVOICE


def test_a_self_employed_coach_gets_the_invoice_addressed_to_their_business(
        course, stripe_double, client, django_capture_on_commit_callbacks):
    form = EnrolForm({"billing_type": "business", "company_name": "Eva Loopbaancoaching",
                      "billing_street": "Kerkstraat 3", "billing_postcode": "1234 AB", "billing_city": "Ergens",
                      "company_kvk": "87654321",
                      "company_vat_id": "NL123456789B01", "accept_terms": "on"})
    assert form.is_valid(), form.errors
    payment = pay(make_date(course), stripe_double, client, django_capture_on_commit_callbacks,
                  billing=form.billing())

    [invoice] = payment.invoices.all()
    assert (invoice.customer["company"], invoice.customer["kvk"]) == ("Eva Loopbaancoaching", "87654321")
    invoice = invoices.invoice_pdf_store(invoice)
    text = pdf_text(invoice)
    for expected in ["Eva Loopbaancoaching", "Kerkstraat 3", "KvK 87654321", "NL123456789B01", "t.a.v. Eva de Vries"]:
        assert expected in text


def test_business_billing_needs_a_trade_name_and_address_and_a_valid_kvk_number():
    form = EnrolForm({"billing_type": "business", "company_kvk": "1234", "accept_terms": "on"})
    assert not form.is_valid()
    assert form.errors["company_name"] == ["Nodig voor de factuur aan je bedrijf."]
    for part in ("billing_street", "billing_postcode", "billing_city"):
        assert form.errors[part] == ["Nodig voor de factuur aan je bedrijf."]
    assert form.errors["company_kvk"] == ["Een KvK-nummer heeft 8 cijfers."]


def test_an_exempt_invoice_names_the_crkbo_registration_beside_the_exemption(
        course, stripe_double, client, django_capture_on_commit_callbacks):
    ProviderSettings.objects.update_or_create(defaults={"crkbo_registered": True, "crkbo_number": "20160123"})
    payment = pay(make_date(course), stripe_double, client, django_capture_on_commit_callbacks)

    invoice = invoices.invoice_pdf_store(payment.invoices.get())
    text = " ".join(pdf_text(invoice).split())
    assert invoice.vat_amount == 0 and "Vrijgesteld van btw" in text
    assert "CRKBO-registratienummer 20160123" in text

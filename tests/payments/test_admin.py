"""The office in the Wagtail admin: payments, refunds and invoices listed, filtered and exported for the
bookkeeper; a refund with a reason, never more than was paid. Trainers see none of it."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from payments.models import Refund
from tests.factories import UserFactory, make_trainer
from tests.payments.test_invoices import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(course, stripe_double, client, django_capture_on_commit_callbacks):
    from tests.factories import make_date

    return pay(make_date(course), stripe_double, client, django_capture_on_commit_callbacks)


@pytest.fixture
def office(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_the_office_exports_payments_and_invoices_as_csv_and_xlsx(paid, office):
    listing = office.get("/admin/payment/?status=paid").content.decode()
    assert paid.paid_for in listing  # who paid, for which date

    export = office.get("/admin/payment/?export=csv")
    text = b"".join(export.streaming_content).decode()
    assert text.startswith("\ufeff")  # so that Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2 and paid.checkout_session_id in rows[1] and "495,00" in rows[1]
    assert "Bedrag incl. btw" in rows[0] and "Status" in rows[0] and "Betaald" in rows[1]
    paid_at = dict(zip(rows[0], rows[1], strict=True))["Betaald"]
    assert paid_at == timezone.localtime(paid.paid_at).strftime("%d-%m-%Y %H:%M")  # local, no microseconds

    invoice = paid.invoices.get()
    csv_rows = list(csv.reader(io.StringIO(b"".join(office.get("/admin/invoice/?export=csv").streaming_content)
                                           .decode().lstrip("\ufeff")), delimiter=";"))
    row = dict(zip(csv_rows[0], csv_rows[1], strict=True))
    assert row["Soort"] == "Factuur" and row["Totaal"] == "495,00" and row["Klant"] == paid.enrolment.user.full_name
    assert row["E-mail"] == paid.enrolment.user.email and "Btw-identificatienummer" in row

    xlsx = office.get("/admin/invoice/?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    [header, invoice_row] = list(book.active.iter_rows(values_only=True))
    cells = dict(zip(header, invoice_row, strict=True))
    assert cells["Nummer"] == invoice.number and cells["Totaal"] == 495  # a number, not text
    assert cells["Uitgegeven"] == timezone.localtime(invoice.issued_at).replace(tzinfo=None, microsecond=0)


def test_the_office_refunds_with_a_reason_and_never_more_than_was_paid(paid, office, stripe_double,
                                                                      django_capture_on_commit_callbacks):
    too_much = office.post("/admin/refund/new/", {"payment": paid.pk, "amount": "500,00", "reason": "oops"})
    assert too_much.status_code == 200 and "495" in too_much.content.decode()
    assert not Refund.objects.exists()

    asked = office.post("/admin/refund/new/", {"payment": paid.pk, "amount": "12,50", "reason": "Kwam een uur later"})
    page = asked.content.decode()
    invoice = paid.invoices.get()
    assert "€\u00a012,50 terugbetalen?" in page and "Ja, €\u00a012,50 terugbetalen" in page  # never € 1.250,00
    assert f"Factuur {invoice.number} wordt gecrediteerd met €\u00a012,50" in page
    assert f"naar {paid.enrolment.user.full_name}" in page and "Reden: Kwam een uur later" in page
    assert not Refund.objects.exists()  # nothing moved before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        done = office.post("/admin/refund/new/", {"payment": paid.pk, "amount": "12,50",
                                                  "reason": "Kwam een uur later", "confirmed": "1"})
    assert done.status_code == 302
    [refund] = Refund.objects.all()
    assert (refund.amount, refund.reason, refund.status) == (Decimal("12.50"), "Kwam een uur later",
                                                             Refund.Status.SUCCEEDED)
    assert refund.credit_invoice.total == Decimal("-12.50")
    assert refund.credit_invoice.reason == "Kwam een uur later"


def test_a_refund_form_is_never_saved_by_its_first_button(paid, office):
    """The form's button reviews the refund; the confirmation page's button says how much it refunds."""
    form = office.get(f"/admin/refund/new/?payment={paid.pk}").content.decode()
    assert "Terugbetaling bekijken" in form and ">Toevoegen<" not in form


def test_trainers_do_not_see_money(paid, client):
    client.force_login(make_trainer())
    for path in ["/admin/payment/", "/admin/invoice/", "/admin/refund/new/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/admin/", path



def test_a_full_refund_asks_for_confirmation_first(paid, office, stripe_double, django_capture_on_commit_callbacks):
    asked = office.post("/admin/refund/new/", {"payment": paid.pk, "amount": "495", "reason": "Datum vervalt"})
    page = asked.content.decode()
    assert asked.status_code == 200 and "€\u00a0495,00 terugbetalen?" in page
    assert "Ja, €\u00a0495,00 terugbetalen" in page and "Alles wat betaald is, is dan terugbetaald." in page
    assert not Refund.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = office.post("/admin/refund/new/", {"payment": paid.pk, "amount": "495", "reason": "Datum vervalt",
                                                  "confirmed": "1"})
    assert done.status_code == 302 and Refund.objects.get().amount == Decimal("495.00")

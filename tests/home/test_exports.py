"""The office's exports as a bookkeeper opens them, read back with a CSV reader and openpyxl: amounts are numbers
(a credit too), every listing's export has its rows, headings are Dutch words, and an XLSX ends with its last row."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest

from payments import refunds
from tests.factories import UserFactory, make_date
from tests.payments.test_invoices import pay

pytestmark = pytest.mark.django_db

EXPORTS = ["/admin/payment/", "/admin/refund/", "/admin/invoice/", "/admin/coursedate/", "/admin/enrolment/",
           "/admin/interestentry/", "/admin/certificates/", "/admin/voucher/", "/admin/organisation/",
           "/admin/booking/", "/admin/banktransfer/"]


@pytest.fixture
def office_with_data(client, course, stripe_double, django_capture_on_commit_callbacks):
    payment = pay(make_date(course), stripe_double, client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_request(payment=payment, amount=Decimal("1250.00") if payment.amount > 1250 else
                                Decimal("12.50"), reason="=HYPERLINK(\"http://evil\")")
    from courses import enrolments

    enrolments.interest_join(course=course, user=UserFactory())
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def read_csv(client, url):
    response = client.get(url + "?export=csv")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_a_credit_is_a_negative_number_and_text_that_looks_like_a_formula_is_neutralised(office_with_data):
    rows = read_csv(office_with_data, "/admin/invoice/")
    credit = next(dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[1] == "Creditfactuur")
    assert credit["Totaal"] == "-12,50" and not credit["Totaal"].startswith("'")
    assert float(credit["Totaal"].replace(",", ".")) == -12.5  # sums in a spreadsheet
    refund = dict(zip(*read_csv(office_with_data, "/admin/refund/")[:2], strict=True))
    assert refund["Reden"].startswith("'=")  # a formula typed as text stays text


@pytest.mark.parametrize("listing", EXPORTS)
def test_every_export_has_its_rows_and_dutch_headings_and_no_empty_row(office_with_data, listing):
    rows = read_csv(office_with_data, listing)
    count = office_with_data.get(listing).context["paginator"].count if office_with_data.get(
        listing).context else None
    heading = rows[0]
    assert heading and all(cell.strip() for cell in heading), (listing, heading)
    for cell in heading:
        assert not re.search(r"\w\.\w", cell) and "_" not in cell and cell not in ("Pk", "Id"), (listing, cell)
        assert not re.search(r"\b(email|date|payer|by)\b", cell, re.IGNORECASE) or cell == "ID", (listing, cell)
    assert all(any(value.strip() for value in row) for row in rows[1:]), listing  # no empty lines
    if count is not None:
        assert len(rows) - 1 == count, listing

    response = office_with_data.get(listing + "?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(heading) and len(values) == len(rows), listing
    assert all(any(cell not in (None, "") for cell in row) for row in values), listing  # the last is a row too

"""The office reads its bank's statement in the admin: what it will record first, then the invoice paid; the
same file again records nothing twice."""

import pytest
from playwright.sync_api import Page, expect

from courses.models import CoursePage
from payments.models import Invoice
from payments.selectors import balance
from places import bookings as places_bookings
from tests.browser.conftest import log_in
from tests.factories import UserFactory, make_date, make_organisation
from tests.payments.test_bank_statements import entry, statement, transaction_details

pytestmark = pytest.mark.browser


def test_the_office_reads_a_statement_and_the_invoice_is_paid(page: Page, live_site, site_url, tmp_path):
    contact = UserFactory()
    booking = places_bookings.booking_on_invoice(
        course_date=make_date(CoursePage.objects.get(slug="basistraining")), organisation=make_organisation(contact),
        booked_by=contact, seats=2)
    invoice = Invoice.objects.get(booking=booking)
    file = tmp_path / "afschrift.xml"
    file.write_bytes(statement([entry("990.00", [transaction_details(
        "990.00", payer="Re-integratiebureau De Brug", reference=invoice.payment_reference_printed, bank_ref="X1")])]))
    UserFactory(email="office@example.org", is_superuser=True)
    log_in(page, site_url, "office@example.org")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(site_url + "/admin/banktransfer/")
    page.get_by_role("link", name="Bankafschrift inlezen").click()
    page.get_by_label("Bankafschrift (CAMT.053)").set_input_files(str(file))
    page.get_by_role("button", name="Afschrift inlezen").click()
    expect(page.get_by_text(f"Betaalt {invoice.number} volledig")).to_be_visible()
    assert balance(invoice).open == invoice.total  # nothing recorded before the office confirms
    page.get_by_role("button", name="Deze betalingen vastleggen").click()
    expect(page.get_by_text("1 betaling vastgelegd.")).to_be_visible()
    assert balance(invoice).open == 0

    page.goto(site_url + "/admin/bank-statements/new/")
    page.get_by_label("Bankafschrift (CAMT.053)").set_input_files(str(file))
    page.get_by_role("button", name="Afschrift inlezen").click()
    expect(page.get_by_text("Al eerder ingelezen: 1 regel")).to_be_visible()
    expect(page.get_by_role("button", name="Deze betalingen vastleggen")).to_have_count(0)

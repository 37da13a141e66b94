"""The office reads its bank's statement in the admin: what it will record first, then the invoice paid in full or
in part; the same file again records nothing twice; a payment that names no invoice waits, and the office assigns
it."""

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


def test_the_office_reads_a_statement_and_assigns_what_named_no_invoice(page: Page, live_site, site_url, tmp_path):
    contact = UserFactory()
    organisation = make_organisation(contact)
    course = CoursePage.objects.get(slug="basistraining")
    named, unnamed, partly = (Invoice.objects.get(booking=places_bookings.booking_on_invoice(
        course_date=make_date(course), organisation=organisation, booked_by=contact, seats=2)) for _ in range(3))
    file = tmp_path / "afschrift.xml"
    file.write_bytes(statement([
        entry("990.00", [transaction_details("990.00", payer="Re-integratiebureau De Brug",
                                             reference=named.payment_reference_printed, bank_ref="X1")]),
        entry("990.00", [transaction_details("990.00", payer="De Brug", text="cursus november", bank_ref="X2")]),
        entry("400.00", [transaction_details("400.00", payer="De Brug", text=f"Factuur {partly.number} deel 1",
                                             bank_ref="X3")]),
    ]))
    UserFactory(email="office@example.org", is_superuser=True)
    log_in(page, site_url, "office@example.org")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(site_url + "/admin/banktransfer/")
    page.get_by_role("link", name="Bankafschrift inlezen").click()
    page.get_by_label("Bankafschrift (CAMT.053)").set_input_files(str(file))
    page.get_by_role("button", name="Afschrift inlezen").click()
    expect(page.get_by_text(f"Betaalt {named.number} volledig")).to_be_visible()
    expect(page.get_by_text("Geen factuur gevonden")).to_be_visible()
    expect(page.get_by_text(f"{partly.number}: € 400,00, nog open € 590,00")).to_be_visible()
    assert balance(named).open == named.total  # nothing recorded before the office confirms
    page.get_by_role("button", name="Deze betalingen vastleggen").click()
    expect(page.get_by_text("2 betalingen vastgelegd.")).to_be_visible()
    assert balance(named).open == 0 and balance(partly).open == partly.total - 400

    # The line that named no invoice waits under Bank lines; the office assigns it after a step that says so.
    page.get_by_role("link", name="Bankregels").click()
    page.get_by_role("row").filter(has_text="cursus november").get_by_role("link").first.click()
    page.get_by_role("link", name="Aan een factuur toewijzen").click()
    page.get_by_label("Factuur").select_option(str(unnamed.pk))
    page.get_by_role("button", name="Bekijken").click()
    expect(page.get_by_role("heading", name=f"vastleggen op factuur {unnamed.number}?")).to_be_visible()
    page.locator("form button.button.no").click()
    expect(page.get_by_text(f"vastgelegd op factuur {unnamed.number}")).to_be_visible()
    assert balance(unnamed).open == 0

    page.goto(site_url + "/admin/bank-statements/new/")  # the same file again
    page.get_by_label("Bankafschrift (CAMT.053)").set_input_files(str(file))
    page.get_by_role("button", name="Afschrift inlezen").click()
    expect(page.get_by_text("Al eerder ingelezen: 3 regels")).to_be_visible()
    expect(page.get_by_role("button", name="Deze betalingen vastleggen")).to_have_count(0)

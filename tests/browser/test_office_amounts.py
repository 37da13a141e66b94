"""The office types amounts as its language writes them: in Dutch "12,50", "1.485,00", "€ 12,50" and "1485"; in
English "12.50", "1,485.00" and "1485". What could be read two ways ("1.485", "12.50" in Dutch; "12,50" in English)
is refused with what to type. Typed in a real browser on the bank transfer form, whose step before recording
shows how the amount was read."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from wagtail.users.models import UserProfile

from courses.models import CoursePage
from payments.models import BankTransfer, Invoice
from places import bookings as places_bookings
from tests.browser.conftest import log_in
from tests.factories import UserFactory, make_date, make_organisation

pytestmark = pytest.mark.browser

TYPED = {
    "nl": {"accepted": {"12,50": "€ 12,50", "1.485,00": "€ 1.485,00", "€ 12,50": "€ 12,50", "1485": "€ 1.485,00"},
           "refused": {"1.485": "is op twee manieren te lezen", "12.50": "is op twee manieren te lezen"},
           "review": "Overschrijving bekijken", "title": "{amount} vastleggen?"},
    "en": {"accepted": {"12.50": "€12.50", "1,485.00": "€1,485.00", "1485": "€1,485.00"},
           "refused": {"12,50": "can be read in two ways"},
           "review": "Review the transfer", "title": "Record {amount}?"},
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_office_types_amounts_the_way_its_language_writes_them(page: Page, live_site, site_url, language):
    contact = UserFactory(email="werkgever@example.org")
    booking = places_bookings.booking_on_invoice(
        course_date=make_date(CoursePage.objects.get(slug="basistraining")), organisation=make_organisation(contact),
        booked_by=contact, seats=3)
    invoice = Invoice.objects.get(booking=booking)
    office = UserFactory(email="office@example.org", is_superuser=True)
    profile = UserProfile.get_for_user(office)
    profile.preferred_language = language
    profile.save()
    log_in(page, site_url, "office@example.org")
    words = TYPED[language]

    def review(amount: str):
        page.goto(f"{site_url}/admin/banktransfer/new/?invoice={invoice.pk}")
        page.locator("input[name=amount]").fill(amount)
        page.locator("input[name=received_on]").fill(date.today().strftime("%Y-%m-%d"))
        page.get_by_role("button", name=words["review"]).click()

    for typed, read in words["accepted"].items():
        review(typed)
        expect(page.get_by_role("heading", name=words["title"].format(amount=read))).to_be_visible()
    for typed, message in words["refused"].items():
        review(typed)
        expect(page.get_by_text(message)).to_be_visible()
        expect(page.locator("input[name=amount]")).to_have_value(typed)  # what was typed stays, to correct

    review(next(iter(words["accepted"])))
    page.locator("form button.button.no").click()  # "Ja, … vastleggen" / "Yes, record …"
    expect(page.locator(".messages")).to_be_visible()
    assert BankTransfer.objects.get().amount == 12.50

"""The office's desk in a real browser, on a phone's width too: today's work on the admin's home page, a person
found through the admin's own search, and a place cancelled from their page after the step that says what happens."""

import pytest
from playwright.sync_api import Page, expect

from courses.models import CoursePage, Enrolment
from tests.browser.conftest import log_in
from tests.factories import UserFactory, confirmed_place, make_course, make_date

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_office_finds_a_person_and_cancels_their_place_from_their_page(page: Page, live_site, site_url, width):
    free = make_course(CoursePage.objects.get(slug="basistraining").get_parent().specific, title="Intervisie",
                       slug="intervisie", price_excl_vat=0)
    place = confirmed_place(make_date(free), UserFactory(email="eva@example.org", full_name="Eva de Vries"))
    UserFactory(email="office@example.org", is_superuser=True)
    log_in(page, site_url, "office@example.org")
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{site_url}/admin/")
    expect(page.get_by_role("heading", name="Vandaag te doen")).to_be_visible()
    expect(page.get_by_role("link", name="Organisaties die op goedkeuring wachten")).to_be_visible()

    page.goto(f"{site_url}/admin/pages/search/?q=vries")  # where the admin's search box leads
    page.locator("a[href*='/admin/people/?q=vries']", has_text="Mensen").click()  # its other searches: People
    page.get_by_role("link", name="Eva de Vries").click()
    expect(page.get_by_role("heading", name="Eva de Vries")).to_be_visible()
    expect(page.get_by_text("Intervisie").first).to_be_visible()

    page.locator("summary", has_text="Annuleren").click()
    page.get_by_label("Reden").last.fill("Ziek gemeld")
    page.get_by_role("button", name="Plaats annuleren").click()
    expect(page.get_by_role("heading", name="De plaats van Eva de Vries op")).to_be_visible()
    expect(page.get_by_text("Er wordt niets terugbetaald")).to_be_visible()
    expect(page.get_by_text("Ziek gemeld")).to_be_visible()
    page.get_by_role("button", name="Ja, annuleer de plaats").click()

    expect(page.get_by_text("is geannuleerd")).to_be_visible()
    expect(page.get_by_role("heading", name="Eva de Vries")).to_be_visible()  # back on her page
    place.refresh_from_db()
    assert place.status == Enrolment.Status.CANCELLED

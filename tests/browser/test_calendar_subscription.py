"""A coach on her phone puts all her meeting days in her calendar with one address, and replaces it when it got
out."""

import pytest
from playwright.sync_api import Page, expect

from courses.models import CoursePage
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import assert_accessible
from tests.factories import UserFactory, confirmed_place, make_date

pytestmark = pytest.mark.browser


def test_a_coach_subscribes_her_calendar_and_replaces_the_address(page: Page, live_site, site_url):
    course = CoursePage.objects.get()
    confirmed_place(make_date(course), UserFactory(email="eva@example.org"))
    log_in(page, site_url, "eva@example.org")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + "/my/courses/")

    page.get_by_role("link", name="Al je lesdagen in je agenda: abonneer je").click()
    expect(page.get_by_text("staat elke dag er twee keer in")).to_be_visible()  # it says what it is an alternative to
    page.get_by_role("button", name="Maak mijn agenda-adres").click()
    expect(page.get_by_text("Je agenda-adres is klaar")).to_be_visible()
    address = page.get_by_label("Je agenda-adres").input_value()
    expect(page.get_by_role("link", name="Abonneren in mijn agenda-app")).to_have_attribute(
        "href", address.replace("http://", "webcal://"))
    feed = page.request.get(address)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    assert feed.text().count("BEGIN:VEVENT") == 1 and course.title in feed.text()
    assert_accessible(page, "calendar subscription")

    page.get_by_role("button", name="Nieuw adres maken").click()
    expect(page.get_by_text("de oude werkt niet meer")).to_be_visible()
    assert page.get_by_label("Je agenda-adres").input_value() != address
    assert page.request.get(address).status == 404

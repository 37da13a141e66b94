"""The language button goes both ways on every page, with Dutch and with English browser languages."""

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("browser_locale", ["nl-NL", "en-GB"])
def test_a_visitor_switches_nl_en_nl_on_the_home_a_course_page_and_my_courses(browser: Browser, live_site,
                                                                              site_url, browser_locale):
    coach = UserFactory(email="eva@example.org")
    coach.set_password(PASSWORD)
    coach.save()
    page = browser.new_context(locale=browser_locale).new_page()
    page.set_default_timeout(10_000)
    log_in(page, site_url, "eva@example.org")

    for path, english_heading in [("/", None), ("/opleidingen/basistraining/", "Basistraining 2e spoorcoaching"),
                                  ("/my/courses/", "My courses")]:
        page.goto(site_url + path)
        page.get_by_role("link", name="English").click()
        expect(page).to_have_url(site_url + "/en" + path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        if english_heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(english_heading)

        page.get_by_role("link", name="Nederlands").click()
        expect(page).to_have_url(site_url + path)
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        expect(page.get_by_role("link", name="English")).to_be_visible()
    page.context.close()


def test_the_verification_page_switches_too(page, live_site, site_url):
    page.goto(site_url + "/verify/ONBEKEND/")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(site_url + "/en/verify/ONBEKEND/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Nederlands").click()
    expect(page).to_have_url(site_url + "/verify/ONBEKEND/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")

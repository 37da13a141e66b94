import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_visitor_goes_from_home_to_a_module_and_switches_to_english(page: Page, live_site, site_url):
    page.goto(site_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vakmanschap voor coaches")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Opleidingen").click()
    expect(page).to_have_url(re.compile(r"/opleidingen/$"))
    page.get_by_role("link", name="Basistraining 2e spoorcoaching").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Basistraining 2e spoorcoaching")
    facts = page.get_by_role("complementary", name="In het kort")
    expect(facts).to_contain_text("€\u00a0495,00")
    expect(facts).to_contain_text("Vrijgesteld van btw")
    expect(facts).to_contain_text("Noloc")

    page.get_by_role("link", name="Voorbereiding").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorbereiding")
    expect(page.get_by_text("Wat neem je mee?")).to_be_visible()
    page.get_by_role("link", name="Na de training →").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Na de training")

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/opleidingen/basistraining/na-de-training/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()


def test_keyboard_user_can_skip_to_content(page: Page, live_site, site_url):
    page.goto(site_url + "/opleidingen/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))

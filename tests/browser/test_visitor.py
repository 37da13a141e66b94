import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_visitor_goes_from_home_to_a_module_and_switches_to_english(page: Page, live_site, site_url):
    page.goto(site_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vakmanschap voor coaches")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Opleidingen").click()
    expect(page).to_have_url(re.compile(r"/opleidingen/$"))
    page.get_by_role("link", name="Basistraining 2e spoorcoaching", exact=True).click()

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


def test_on_a_phone_the_menu_folds_away_and_the_price_comes_before_the_programme(page: Page, live_site, site_url):
    from courses.models import CoursePage
    from tests.factories import make_date

    course = CoursePage.objects.get(slug="basistraining")
    make_date(course, capacity=4)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(site_url + "/opleidingen/")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(menu).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")

    card = page.locator(".course-card", has_text="Basistraining 2e spoorcoaching")
    expect(card).to_contain_text("Eerstvolgende datum")
    expect(card).to_contain_text("nog 4 plaatsen")
    card.get_by_role("link", name="Bekijk data en schrijf je in").click()

    price = page.get_by_role("complementary", name="In het kort").bounding_box()
    programme = page.get_by_role("heading", name="Programma").bounding_box()
    title = page.get_by_role("heading", level=1).bounding_box()
    assert title["y"] < price["y"] < programme["y"]
    page.set_viewport_size({"width": 1280, "height": 900})  # beside the text on a wide screen
    price = page.get_by_role("complementary", name="In het kort").bounding_box()
    assert price["x"] > page.get_by_role("heading", level=1).bounding_box()["x"] + 400
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()

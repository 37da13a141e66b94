import io
import json
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import assert_accessible
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_a_coach_downloads_a_copy_of_her_data_from_her_profile(page: Page, live_site, site_url):
    UserFactory(email="carla@example.org", full_name="Carla de Coach")

    log_in(page, site_url, "carla@example.org")
    page.get_by_role("link", name="Mijn profiel").click()
    page.get_by_role("button", name="Maak een kopie van mijn gegevens").click()
    expect(page.get_by_role("status")).to_contain_text("We maken een kopie van je gegevens")
    page.reload()  # the worker (here: right after the request) has prepared it
    link = page.get_by_role("link", name="Je kopie van")
    expect(link).to_be_visible()
    assert_accessible(page, "/accounts/profile/ with a copy of the data")
    with page.expect_download() as download:
        link.click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    assert json.loads(archive.read("mijn-gegevens.json"))["Account"][0]["volledige naam"] == "Carla de Coach"


def test_a_coach_deletes_her_account_after_giving_her_password_again(page: Page, live_site, site_url):
    from accounts.models import User

    UserFactory(email="carla@example.org", full_name="Carla de Coach")

    log_in(page, site_url, "carla@example.org")
    page.get_by_role("link", name="Mijn profiel").click()
    page.get_by_role("link", name="Mijn account verwijderen").click()
    page.get_by_label("Je wachtwoord").fill("niet-mijn-wachtwoord")
    page.get_by_role("button", name="Mijn account definitief verwijderen").click()
    expect(page.get_by_role("alert")).to_contain_text("Je account is niet verwijderd")
    expect(page.locator(".errorlist")).to_contain_text("Dat is niet je wachtwoord.")
    assert_accessible(page, "/my/account/delete/ with an error")

    page.get_by_label("Je wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Mijn account definitief verwijderen").click()
    expect(page.get_by_role("status")).to_contain_text("Je account is verwijderd")
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
    assert not User.objects.filter(email="carla@example.org").exists()

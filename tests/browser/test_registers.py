import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import RegisterMembership
from courses.models import CoursePage
from registers.models import ReportedAttendance
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import assert_accessible
from tests.factories import UserFactory, attended_date, make_certificate

pytestmark = pytest.mark.browser


def test_the_office_submits_attendance_to_pe_online_and_corrects_a_rejected_number(
        page: Page, live_site, site_url, pe_online):
    attended = attended_date(CoursePage.objects.get(slug="basistraining"))
    RegisterMembership.objects.create(user=attended.people["Bas Bakker"], register="registerplein", number="555555")
    pe_online.double.unknown_persons = {"555555"}
    UserFactory(email="office@example.org", is_superuser=True, is_staff=True)

    log_in(page, site_url, "office@example.org")
    page.goto(site_url + "/admin/")
    page.get_by_role("link", name="PE-online indienen").click()
    page.get_by_role("link", name=re.compile("Basistraining 2e spoorcoaching")).first.click()
    section = page.locator("section", has=page.get_by_role("heading", name="Registerplein"))
    expect(section.locator("textarea")).to_have_value("204417\n555555")

    section.get_by_role("button", name="2 deelnemers indienen bij PE-online").click()
    expect(page.locator(".messages")).to_contain_text("2 deelnemers worden ingediend bij PE-online")
    section = page.locator("section", has=page.get_by_role("heading", name="Registerplein"))
    expect(section.get_by_role("row", name=re.compile("Anna Aalbers"))).to_contain_text("Geaccepteerd")
    expect(section.get_by_role("row", name=re.compile("Bas Bakker"))).to_contain_text("Afgewezen: fout 110")

    section.get_by_label("Nummer corrigeren").fill("204418")
    section.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".messages")).to_contain_text("Het nummer van Bas Bakker is nu 204418")
    page.locator("section", has=page.get_by_role("heading", name="Registerplein")).get_by_role(
        "button", name="1 deelnemer indienen bij PE-online").click()
    section = page.locator("section", has=page.get_by_role("heading", name="Registerplein"))
    expect(section.get_by_role("row", name=re.compile("Bas Bakker"))).to_contain_text("Geaccepteerd")
    expect(section).to_contain_text("Iedereen met een nummer is door PE-online geaccepteerd.")
    assert set(ReportedAttendance.objects.filter(status="accepted").values_list("number", flat=True)) == {
        "204417", "204418"}


def test_an_alumna_finds_her_pe_points_and_downloads_them(page: Page, live_site, site_url):
    from datetime import date

    alumna = UserFactory(email="alumna@example.org", full_name="Aisha Alumna")
    RegisterMembership.objects.create(user=alumna, register="noloc", number="NL-20931")
    make_certificate(CoursePage.objects.get(slug="basistraining"), alumna, date(2026, 3, 10),
                     [("noloc", "Noloc", "6", "NL-118")], number="S2A-2026-000007")

    log_in(page, site_url, "alumna@example.org")
    page.get_by_role("link", name="Mijn certificaten").click()
    page.get_by_role("link", name="Mijn PE-punten per register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn PE-punten")
    noloc = page.locator("section", has=page.get_by_role("heading", name="Noloc"))
    expect(noloc.get_by_role("heading")).to_contain_text("registernummer NL-20931")
    expect(noloc).to_contain_text("6 PE-punten sinds")
    expect(noloc).to_contain_text("het register vraagt 75")
    expect(noloc.get_by_role("link", name="S2A-2026-000007")).to_be_visible()
    assert_accessible(page, "/my/pe-points/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden (PDF)").click()
    assert download.value.suggested_filename.startswith("pe-punten-")
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"

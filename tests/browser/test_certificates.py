"""An alumna downloads her certificate and opens its verification page."""

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from certification import services
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_learning import learner  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def test_alumna_downloads_her_certificate_and_opens_the_verification_link(page: Page, learner, site_url):  # noqa: F811
    certificate = services.certificate_issue(enrolment=learner.place, actor=learner.trainer,
                                             reason="Alle onderdelen afgerond")
    log_in(page, site_url, "eva@example.org")
    page.get_by_role("link", name="Mijn certificaten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn certificaten")
    expect(page.get_by_text(certificate.number)).to_be_visible()
    assert_accessible(page, "my certificates")

    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden (PDF)").click()
    assert download.value.suggested_filename == f"{certificate.number}.pdf"
    text = PdfReader(download.value.path()).pages[0].extract_text()
    assert "Eva de Vries" in text and certificate.number in text

    page.get_by_role("link", name="Controlepagina").click()
    expect(page).to_have_url(f"{site_url}/verify/{certificate.code}/")
    expect(page.get_by_role("status")).to_have_text("✓ Dit certificaat is echt en geldig.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eva de Vries")
    assert_accessible(page, "verification page")

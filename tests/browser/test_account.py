import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User

pytestmark = pytest.mark.browser


def test_visitor_signs_up_confirms_logs_in_and_fills_the_profile(page: Page, live_site, site_url):
    page.goto(site_url + "/")
    page.get_by_role("link", name="Account aanmaken").click()
    page.get_by_label("Volledige naam").fill("drs. E. (Eva) Jansen")
    page.get_by_label("E-mail:").fill("eva@example.org")
    page.get_by_label("Wachtwoord:", exact=True).fill("zonnige-dinsdag-2026")
    page.get_by_label("Wachtwoord (bevestigen):").fill("zonnige-dinsdag-2026")
    page.get_by_role("button", name="Registreren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Verifieer je e-mailadres")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Bevestig").click()

    expect(page).to_have_url(re.compile(r"/my/courses/$"))  # logged in, where a coach goes on from
    page.get_by_role("link", name="Mijn profiel").click()
    expect(page.get_by_label("Volledige naam")).to_have_value("drs. E. (Eva) Jansen")

    page.get_by_label("Organisatie").fill("Jansen Re-integratie")
    page.get_by_label("Registernummer NOBCO").fill("12")
    page.get_by_role("button", name="Profiel opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Je profiel is niet opgeslagen")
    expect(page.get_by_text("Een registernummer bestaat uit 3 tot 20 letters")).to_be_visible()
    expect(page.get_by_label("Organisatie")).to_have_value("Jansen Re-integratie")

    page.get_by_label("Registernummer NOBCO").fill("4821")
    page.get_by_role("button", name="Profiel opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Je profiel is opgeslagen.")

    user = User.objects.get(email="eva@example.org")
    assert user.organisation == "Jansen Re-integratie"
    assert list(user.register_memberships.values_list("register", "number")) == [("nobco", "4821")]

    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_role("link", name="Inloggen").click()
    page.get_by_label("E-mail:").fill("eva@example.org")
    page.get_by_label("Wachtwoord:").fill("zonnige-dinsdag-2026")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("link", name="Mijn profiel")).to_be_visible()

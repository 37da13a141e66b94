import pytest

from tests.factories import PASSWORD, catalogue_site, make_course, make_module


@pytest.fixture
def live_site(transactional_db, live_server):
    """The catalogue on a live server (a transactional database, so the server thread sees it)."""
    site = catalogue_site()
    course = make_course(site.catalogue)
    make_module(course, title="Voorbereiding", slug="voorbereiding", open_to_all=True,
                body=[("reflection", {"question": "Wat neem je mee?", "guidance": ""})])
    make_module(course, title="Na de training", slug="na-de-training")
    return site


@pytest.fixture
def site_url(live_server):
    return live_server.url


@pytest.fixture(autouse=True)
def _quick_failures(page):
    """Pages here answer in milliseconds; a missing element should fail in seconds, not half a minute."""
    page.set_default_timeout(10_000)


@pytest.fixture(autouse=True)
def _no_csp_violations(page):
    """The site runs under its Content-Security-Policy here as in production: anything the browser refused
    (a script, a style, a form's redirect) fails the test, even when the flow happened to go on."""
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield
    assert refused == []


def log_in(page, site_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(site_url + "/accounts/login/")
    page.get_by_label("E-mail:").fill(email)
    page.get_by_label("Wachtwoord:").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Mijn opleidingen").wait_for()

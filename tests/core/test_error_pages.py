"""Errors are pages of the site, in the visitor's language, never Django's bare or technical pages (the demo runs
with DEBUG off as production does)."""

import pytest
from django.test import Client

from places import changes
from tests.factories import UserFactory, confirmed_place, make_date

pytestmark = pytest.mark.django_db


def test_no_access_is_a_styled_dutch_page_that_says_who_is_logged_in(client, course):


    coach = UserFactory(email="eva@example.org")
    place = confirmed_place(make_date(course), coach)
    changes.place_cancel(enrolment=place, actor=coach)
    client.force_login(coach)

    response = client.get(f"/learn/enrolments/{place.pk}/evaluation/")  # a cancelled place evaluates nothing
    html = response.content.decode()

    assert response.status_code == 403
    assert "<h1>Geen toegang</h1>" in html and "Je bent ingelogd als eva@example.org" in html
    assert 'class="site-header"' in html and "Forbidden" not in html


def test_a_form_sent_without_its_security_token_is_a_dutch_page_that_loses_nothing(course):
    browser = Client(enforce_csrf_checks=True)
    coach = UserFactory()
    place = confirmed_place(make_date(course), coach)
    browser.force_login(coach)

    response = browser.post(f"/enrolments/{place.pk}/cancel/")

    html = response.content.decode()
    assert response.status_code == 403 and "<h1>Probeer het opnieuw</h1>" in html
    assert "Er is niets opgeslagen" in html and "CSRF" not in html
    place.refresh_from_db()
    assert place.status == "confirmed"


def test_a_request_django_refuses_is_a_dutch_400_page(rf, site):
    from django.contrib.auth.models import AnonymousUser
    from django.views.defaults import bad_request

    request = rf.get("/opleidingen/")
    request.user = AnonymousUser()
    response = bad_request(request, exception=None)
    assert response.status_code == 400
    assert "Er klopt iets niet aan dit verzoek" in response.content.decode()


def test_a_request_for_a_host_we_do_not_serve_is_a_plain_400(site, settings):
    """Its styled page would ask for that host again (links, the site's settings) and fail with a 500."""
    from django.test import Client

    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/plain")
    assert Client().get("/", HTTP_HOST="localhost").status_code == 200

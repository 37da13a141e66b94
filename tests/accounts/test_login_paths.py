"""Every way into an account goes through allauth's rules: rate limits and mandatory email verification. The
Wagtail admin's own login is not reachable; guessing someone's password from one address does not lock them out."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
RATES = {"login_failed": "10/m/ip,5/5m/key"}  # the production rates (base settings); tests switch them off


@pytest.fixture
def unverified(site):
    user = User.objects.create_user(email="nieuw@example.org", password=PASSWORD, full_name="Nieuw")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_an_unverified_account_gets_no_session_on_either_login_path(client, unverified, path):
    response = client.post(path, {"login": unverified.email, "username": unverified.email, "password": PASSWORD})

    assert not logged_in(client)
    if path == "/admin/login/":  # not a login at all: it sends people to the site's login page
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response["Location"] == "/accounts/confirm-email/"


def test_the_admin_login_page_sends_even_staff_to_the_one_login_keeping_where_they_were_going(client, site):
    staff = UserFactory(email="office@example.org", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/?next=/admin/pages/", {"username": staff.email, "password": PASSWORD})
    assert not logged_in(client)
    assert response["Location"] == "/accounts/login/?next=/admin/pages/"
    assert client.get("/admin/password_reset/")["Location"] == "/accounts/password/reset/"

    response = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD})
    assert logged_in(client) and response["Location"] == "/admin/"


def test_password_guessing_is_rate_limited(settings, site):
    settings.ACCOUNT_RATE_LIMITS = RATES
    coach = UserFactory(email="eva@example.org")
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for attempt in range(8):
        guesser.post("/accounts/login/", {"login": coach.email, "password": f"fout-{attempt}"})
        assert not logged_in(guesser)
    # The guesser's address is now refused for this account, even with the right password.
    guesser.post("/accounts/login/", {"login": coach.email, "password": PASSWORD})
    assert not logged_in(guesser)


def test_the_admin_login_path_checks_no_password_it_sends_people_to_the_sites_login(settings, site):
    settings.ACCOUNT_RATE_LIMITS = RATES
    coach = UserFactory(email="eva@example.org")
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for attempt in range(8):
        response = guesser.post("/admin/login/?next=/admin/", {"username": coach.email, "password": f"fout-{attempt}"})
        assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"
        assert not logged_in(guesser)
    guesser.post("/accounts/login/", {"login": coach.email, "password": PASSWORD})  # nothing was counted there
    assert logged_in(guesser)


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out(settings, site):
    settings.ACCOUNT_RATE_LIMITS = RATES
    coach = UserFactory(email="eva@example.org")
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for attempt in range(6):
        attacker.post("/accounts/login/", {"login": coach.email, "password": f"fout-{attempt}"})
    refused = attacker.post("/accounts/login/", {"login": coach.email, "password": PASSWORD})
    assert not logged_in(attacker) and "Te veel inlogpogingen" in refused.content.decode()

    owner = Client(REMOTE_ADDR="198.51.100.20")
    owner.post("/accounts/login/", {"login": coach.email, "password": PASSWORD})
    assert logged_in(owner)


def test_the_answers_do_not_tell_whether_an_account_exists(settings, site):
    settings.ACCOUNT_RATE_LIMITS = RATES
    UserFactory(email="eva@example.org")
    known = Client(REMOTE_ADDR="203.0.113.7").post("/accounts/login/", {"login": "eva@example.org", "password": "x"})
    unknown = Client(REMOTE_ADDR="203.0.113.8").post("/accounts/login/", {"login": "nie@example.org", "password": "x"})
    assert known.status_code == unknown.status_code == 200

    def without_tokens(response, email):
        return re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode().replace(email, ""))
    assert without_tokens(known, "eva@example.org") == without_tokens(unknown, "nie@example.org")

"""Two-factor sign-in (an authenticator app's codes) for everyone who switches it on; the office's accounts and
superusers reach the admin only with it when OFFICE_REQUIRES_TWO_FACTOR is on (production's default)."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.contrib.auth.models import Permission

from tests.factories import PASSWORD, UserFactory, make_trainer

pytestmark = pytest.mark.django_db


def authenticator_code(secret: str, at: float | None = None) -> str:
    """What an authenticator app shows (RFC 6238, 30 s, 6 digits): our own reading, not allauth's."""
    counter = int((at or time.time()) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def log_in(client, email: str):
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


def switch_on(client) -> str:
    """As a person does: confirm the password once more if asked, scan the code, type the app's first code."""
    page = client.get("/accounts/2fa/totp/activate/", follow=True)
    if page.redirect_chain and "/accounts/reauthenticate/" in page.redirect_chain[-1][0]:
        page = client.post(page.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    page = page.content.decode()
    field = re.search(r"<input[^>]*authenticator_secret[^>]*>", page).group(0)
    secret = re.search(r'value="([A-Z2-7]+)"', field)
    secret = secret.group(1)
    response = client.post("/accounts/2fa/totp/activate/", {"code": authenticator_code(secret)})
    assert response.status_code == 302, response.content.decode()[:500]
    return secret


def test_a_coach_switches_on_two_factor_sign_in_from_their_profile_and_then_needs_the_code(client, site):
    UserFactory(email="coach@example.org")
    log_in(client, "coach@example.org")
    profile = client.get("/accounts/profile/").content.decode()
    assert "Inloggen in twee stappen aanzetten" in profile and 'href="/accounts/2fa/totp/activate/"' in profile

    secret = switch_on(client)
    assert "Inloggen in twee stappen staat aan" in client.get("/accounts/profile/").content.decode()

    client.logout()
    step = log_in(client, "coach@example.org")
    assert step.status_code == 302 and "/accounts/2fa/authenticate/" in step["Location"]
    assert client.get("/my/courses/").status_code == 302  # not signed in on the password alone
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    done = client.post("/accounts/2fa/authenticate/", {"code": authenticator_code(secret)})
    assert done.status_code == 302 and client.get("/my/courses/").status_code == 200


@pytest.fixture
def required(settings):
    settings.OFFICE_REQUIRES_TWO_FACTOR = True


def test_the_office_reaches_the_admin_only_with_a_second_factor(client, site, required):
    office = make_trainer(email="kantoor@example.org")
    office.user_permissions.add(Permission.objects.get(codename="add_refund"))
    log_in(client, "kantoor@example.org")
    sent = client.get("/admin/refund/new/")
    assert sent.status_code == 302 and sent["Location"].startswith("/accounts/2fa/totp/activate/?next=")
    assert "tweede stap" in client.get(sent["Location"], follow=True).content.decode()

    switch_on(client)
    assert client.get("/admin/refund/new/").status_code == 200


@pytest.mark.parametrize("who", ["superuser", "trainer"])
def test_superusers_need_it_and_trainers_do_not(client, site, required, who):
    user = (UserFactory(email="root@example.org", is_superuser=True, is_staff=True) if who == "superuser"
            else make_trainer(email="trainer@example.org"))
    log_in(client, user.email)
    response = client.get("/admin/")
    assert (response.status_code == 302 and "/accounts/2fa/" in response["Location"]) == (who == "superuser")

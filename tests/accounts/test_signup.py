"""Signup, confirmation, login and password reset through allauth, in the visitor's language."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def signup(client, email="nieuw@example.org", password=PASSWORD, prefix=""):
    return client.post(
        f"{prefix}/accounts/signup/",
        {"full_name": "drs. N. Nieuw", "email": email, "password1": password, "password2": password},
    )


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S*/accounts/confirm-email/\S+/|/accounts/confirm-email/\S+/)",
                     message.body).group(1)


def test_signup_sends_a_dutch_confirmation_and_the_link_logs_in(client, site):
    response = signup(client)

    assert response.status_code == 302
    user = User.objects.get(email="nieuw@example.org")
    assert user.full_name == "drs. N. Nieuw"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1 and "Bevestig je e-mailadres" in mail.outbox[0].subject
    body = mail.outbox[0].body  # one clear sentence, in the "je" form, with the provider's name
    assert "Wil je bevestigen dat nieuw@example.org jouw e-mailadres is?" in body
    assert "omdat gebruiker" not in body and " u " not in body and "Met vriendelijke groet,\nSpoor 2 Academy" in body

    link = confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200  # a page with a button, not a state change on GET
    assert not EmailAddress.objects.get(user=user).verified
    response = client.post(link)

    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/accounts/profile/").status_code == 200


def test_unverified_account_cannot_log_in(client, site):
    signup(client)
    client.logout()
    mail.outbox.clear()

    response = client.post("/accounts/login/", {"login": "nieuw@example.org", "password": PASSWORD})

    assert client.get("/accounts/profile/").status_code == 302
    assert response.status_code == 302 and "confirm-email" in response["Location"]


def test_signup_with_a_taken_email_reveals_nothing_and_warns_the_owner(client, site):
    owner = UserFactory(email="bestaand@example.org")
    fresh = signup(client, email="nog-niet@example.org")
    client.logout()
    mail.outbox.clear()

    taken = signup(client, email="BESTAAND@example.org")

    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email__iexact="bestaand@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    [warning] = mail.outbox
    assert warning.to == ["bestaand@example.org"]
    assert "Account bestaat al" in warning.subject and "Met vriendelijke groet,\nSpoor 2 Academy" in warning.body
    assert "/password/reset/" in warning.body and "confirm-email" not in warning.body


@pytest.mark.parametrize(
    ("password", "message"),
    [("kort1", "Dit wachtwoord is te kort. De minimale lengte is 10 tekens."),
     ("12345678901", "Dit wachtwoord bevat alleen cijfers."),
     ("wachtwoord", "Dit wachtwoord is te algemeen")],
)
def test_weak_password_is_refused_in_dutch_and_nothing_is_stored(client, site, password, message):
    response = signup(client, password=password)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="nieuw@example.org"' in response.content.decode()  # what was typed stays
    assert not User.objects.filter(email="nieuw@example.org").exists()
    assert mail.outbox == []


def test_weak_password_message_in_english_under_en(client, site):
    response = signup(client, password="kort1", prefix="/en")
    assert "This password is too short" in response.content.decode()


def test_password_reset_looks_the_same_for_known_and_unknown_addresses(client, site):
    UserFactory(email="bekend@example.org")

    known = client.post("/accounts/password/reset/", {"email": "bekend@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "onbekend@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    reset_mail = next(m for m in mail.outbox if m.to == ["bekend@example.org"])
    assert "/accounts/password/reset/key/" in reset_mail.body
    assert all("/password/reset/key/" not in m.body for m in mail.outbox if m.to == ["onbekend@example.org"])


def test_password_reset_link_sets_a_new_password(client, site):
    user = UserFactory(email="vergeten@example.org")
    client.post("/accounts/password/reset/", {"email": "vergeten@example.org"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)

    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"password1": "nieuw-geheim-wachtwoord-7", "password2": "nieuw-geheim-wachtwoord-7"})

    user.refresh_from_db()
    assert user.check_password("nieuw-geheim-wachtwoord-7")


def test_login_with_wrong_password_says_so_in_dutch(client, site):
    UserFactory(email="coach@example.org")
    response = client.post("/accounts/login/", {"login": "coach@example.org", "password": "fout"})
    assert response.status_code == 200
    assert "niet correct" in response.content.decode()

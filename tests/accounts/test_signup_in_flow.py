"""Someone without an account clicks "enrol", signs up, confirms the email and lands back on the enrol form."""

import re
from urllib.parse import unquote

import pytest
from django.core import mail

from tests.factories import PASSWORD, make_date

pytestmark = pytest.mark.django_db


def test_signup_inside_the_enrol_flow_returns_to_the_enrol_form(client, course):
    course_date = make_date(course)
    enrol_url = f"/dates/{course_date.pk}/enrol/"

    login = client.get(enrol_url, follow=True)
    assert unquote(login.redirect_chain[-1][0]) == f"/accounts/login/?next={enrol_url}"
    assert f"/accounts/signup/?next={enrol_url}" in unquote(login.content.decode())

    client.post(f"/accounts/signup/?next={enrol_url}", {
        "full_name": "Nieuwe Coach", "email": "nieuw@example.org", "password1": PASSWORD,
        "password2": PASSWORD, "next": enrol_url,
    })
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    response = client.post(link, follow=True)

    assert response.redirect_chain[-1][0] == enrol_url
    assert "Houd mijn plaats vast en ga verder" in response.content.decode()

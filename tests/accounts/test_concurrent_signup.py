"""Ten signups with one address at the same moment (real threads, each with its own connection): one account,
and every request is answered as a signup is, never with a server error."""

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, catalogue_site
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_parallel_signups_with_one_address_make_one_account_and_no_server_error():
    catalogue_site()

    def sign_up():
        return Client(raise_request_exception=False).post("/accounts/signup/", {
            "full_name": "Eva", "email": "eva@example.org", "password1": PASSWORD, "password2": PASSWORD}).status_code

    statuses = at_once(10, sign_up)

    assert len(statuses) == 10 and all(status < 500 for status in statuses), statuses
    assert User.objects.filter(email="eva@example.org").count() == 1

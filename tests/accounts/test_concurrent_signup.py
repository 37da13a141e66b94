"""Ten signups with one address at the same moment (real threads, each with its own connection): one account,
and every request is answered as a signup is, never with a server error."""

import threading

import pytest
from django.db import connections
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, catalogue_site

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_parallel_signups_with_one_address_make_one_account_and_no_server_error():
    catalogue_site()
    barrier = threading.Barrier(10)
    statuses, lock = [], threading.Lock()

    def sign_up():
        try:
            barrier.wait()
            response = Client(raise_request_exception=False).post("/accounts/signup/", {
                "full_name": "Eva", "email": "eva@example.org", "password1": PASSWORD, "password2": PASSWORD})
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(statuses) == 10 and all(status < 500 for status in statuses), statuses
    assert User.objects.filter(email="eva@example.org").count() == 1

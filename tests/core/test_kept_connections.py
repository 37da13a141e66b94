"""A worker keeps its PostgreSQL connection between requests (CONN_MAX_AGE). The check before a request's first
query (core/postgresql) must replace a connection the server dropped, so nobody sees an error for it, and keep a
healthy one, so the statements it prepared stay prepared."""

import time

import psycopg
import pytest
from django.db import close_old_connections, connection, connections
from django.urls import reverse

from core.postgresql import base as postgresql
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the check is PostgreSQL's"),
]


@pytest.fixture
def kept_connection():
    max_age = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = None  # kept for good, as a worker's is for a minute
    connection.close()
    yield
    connection.settings_dict["CONN_MAX_AGE"] = max_age
    connection.close()


def backend_of_the_next_page(client) -> tuple[int, int]:
    close_old_connections()  # what Django runs as a request starts (its test client leaves it out)
    response = client.get(reverse("courses:my_courses"))
    return response.status_code, connection.connection.info.backend_pid


def test_a_healthy_connection_is_kept_from_request_to_request(client, kept_connection):
    assert isinstance(connections["default"], postgresql.DatabaseWrapper)  # the poll, not Django's SELECT 1
    client.force_login(UserFactory())

    first, second = backend_of_the_next_page(client), backend_of_the_next_page(client)

    assert first[0] == second[0] == 200
    assert first[1] == second[1]


def test_a_connection_the_server_dropped_is_replaced_before_the_request_uses_it(client, kept_connection):
    client.force_login(UserFactory())
    status, backend = backend_of_the_next_page(client)
    assert status == 200

    dsn = connection.connection.info.dsn
    with psycopg.connect(dsn, password=connection.settings_dict["PASSWORD"] or None, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])  # as a restart or a failover would
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone():
            time.sleep(0.01)  # gone, its goodbye sent

    status, replaced_by = backend_of_the_next_page(client)
    assert status == 200
    assert replaced_by != backend

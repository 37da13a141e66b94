"""PostgreSQL's timestamps are read as Django's own loader reads them (an aware datetime in the connection's time
zone, UTC), with the parsing done by psycopg's loader, in C with psycopg[binary] (core/postgresql)."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.adapt import AdaptersMap
from psycopg.pq import Format

from core.postgresql import base as postgresql

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the loader is PostgreSQL's"),
]

TEXTS = ["2026-12-07 22:30:33.850281+00", "2027-03-28 01:59:59.999999+00", "2026-06-01 12:00:00+02",
         "2026-06-01 12:00:00-09:30", "0001-01-01 00:00:00+00", "9999-12-31 23:59:59.999999+00"]


def loader_of(adapters):
    return adapters.get_loader(postgresql.base.TIMESTAMPTZ_OID, Format.TEXT)


def test_the_connection_parses_timestamps_in_c():
    connection.ensure_connection()
    assert issubclass(loader_of(connection.connection.adapters), postgresql.CTimestamptzLoader)
    assert postgresql.PSYCOPG_TIMESTAMPTZ_LOADER.__module__.startswith("psycopg_binary")


@pytest.mark.parametrize("text", TEXTS)
def test_each_timestamp_reads_as_djangos_own_loader_reads_it(text):
    connection.ensure_connection()
    djangos = AdaptersMap(connection.connection.adapters)
    register_tzloader(connection.timezone, djangos)
    assert not issubclass(loader_of(djangos), postgresql.CTimestamptzLoader)  # Django's own, parsing in Python
    ours = loader_of(connection.connection.adapters)(postgresql.base.TIMESTAMPTZ_OID, connection.connection)
    theirs = loader_of(djangos)(postgresql.base.TIMESTAMPTZ_OID, connection.connection)

    read = ours.load(text.encode())

    assert read == theirs.load(text.encode())
    assert read.tzinfo is datetime.UTC and read.utcoffset() == datetime.timedelta(0)


def test_a_timestamp_from_the_server_is_the_same_instant_in_utc():
    with connection.cursor() as cursor:
        cursor.execute("SELECT '2026-10-25 02:30:00+02'::timestamptz, NULL::timestamptz")
        summer_time_ends, nothing = cursor.fetchone()

    assert summer_time_ends == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC)
    assert summer_time_ends.tzinfo is datetime.UTC and nothing is None

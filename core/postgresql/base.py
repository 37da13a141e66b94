"""Django's PostgreSQL backend, with a health check that costs no round trip and times read in C.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first query of every request on a kept connection, so
a request never meets a connection the server dropped (a restart, a failover). That is one more round trip on
every request: a fifth of what a refused press costs in an enrolment rush. A connection the server closed has
its goodbye (the termination notice, then the end of the stream) waiting on the socket, since nothing else
arrives on an idle connection; looking for it costs one poll(2).

A server that vanished without a goodbye (a host lost, a failover that moves the address) sends nothing: TCP
keepalives (lms/settings/base.py) end such a connection within about a minute of quiet, and a request that meets
it before then gets the 503 page once, after which the connection is dropped.

Django reads every `timestamptz` with a loader of its own that derives from psycopg's pure-Python one, so each
value is parsed in Python (about 5 µs) even where psycopg[binary] parses it in C (under 0.5 µs): a signed-in page
or a press in a rush reads dozens. `CTimestamptzLoader` is Django's loader (the value in the connection's time
zone) with the parsing done by psycopg's own loader, in C when it is installed.
"""

import select
from functools import lru_cache

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import get_adapters_template
from psycopg.adapt import AdaptersMap, Loader
from psycopg.pq import Format, TransactionStatus

USABLE_STATES = (TransactionStatus.IDLE, TransactionStatus.INTRANS)
PSYCOPG_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT)  # in C with [binary]


class CTimestamptzLoader(Loader):
    """What Django's loader gives (a `timestamptz` as a datetime in `timezone`, the connection's time zone, or
    naive when it is None), parsed by psycopg's loader. Django checks `timezone` on every new cursor."""

    timezone = None

    def __init__(self, oid: int, context=None):
        super().__init__(oid, context)
        self.parse = PSYCOPG_TIMESTAMPTZ_LOADER(oid, context).load

    def load(self, data):
        value = self.parse(data)
        return value if value.tzinfo is self.timezone else value.replace(tzinfo=self.timezone)


@lru_cache
def adapters_template(use_tz: bool, timezone) -> AdaptersMap:
    """Django's adapters for a connection in `timezone`, with the timestamptz loader above."""
    adapters = AdaptersMap(get_adapters_template(use_tz, timezone))
    adapters.register_loader("timestamptz", type("CTimestamptzLoaderIn", (CTimestamptzLoader,), {"timezone": timezone}))
    return adapters


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        params["context"] = adapters_template(settings.USE_TZ, self.timezone)
        return params

    def close_if_health_check_failed(self) -> None:
        """Django's check before a request's first query, with the poll instead of SELECT 1. After an error in a
        request Django still asks `is_usable` (SELECT 1) before it keeps the connection."""
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self.kept_connection_usable():
            self.close()
        self.health_check_done = True

    def kept_connection_usable(self) -> bool:
        if self.connection.closed or self.connection.info.transaction_status not in USABLE_STATES:
            return False
        poller = select.poll()
        poller.register(self.connection.fileno(), select.POLLIN)
        return not poller.poll(0)  # anything to read (or a hang-up) on an idle connection is the server leaving

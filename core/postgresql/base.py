"""Django's PostgreSQL backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first query of every request on a kept connection, so
a request never meets a connection the server dropped (a restart, a failover). That is one more round trip on
every request: a fifth of what a refused press costs in an enrolment rush. A connection the server closed has
its goodbye (the termination notice, then the end of the stream) waiting on the socket, since nothing else
arrives on an idle connection; looking for it costs one poll(2).

A server that vanished without a goodbye (a host lost, a failover that moves the address) sends nothing: TCP
keepalives (lms/settings/base.py) end such a connection within about a minute of quiet, and a request that meets
it before then gets the 503 page once, after which the connection is dropped.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

USABLE_STATES = (TransactionStatus.IDLE, TransactionStatus.INTRANS)


class DatabaseWrapper(base.DatabaseWrapper):
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

import logging
import time

from django.core.cache import caches
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connections

from core.middleware import database_away
from operations.health import heartbeat
from operations.schedule import EVERY_TENTH_TICK, EVERY_TICK

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("Enqueues the periodic tasks of operations/schedule.py (releasing lapsed holds, waitlist offers, retrying "
            "failed tasks) every --interval seconds; "
            "`manage.py db_worker` runs them. One scheduler per installation is enough; more do no harm. "
            "While the database is away it says so once and tries again every interval.")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0)
        parser.add_argument("--once", action="store_true", help="Enqueue once and stop.")

    def handle(self, *args, interval, once, **options):
        tick, away = 0, False
        while True:
            try:
                heartbeat("scheduler")
                forget_after_an_outage = getattr(caches["default"], "forget_after_an_outage_elsewhere", None)
                if forget_after_an_outage:
                    forget_after_an_outage()  # what a worker changed while Redis was away is not served stale
                for periodic in EVERY_TICK + (EVERY_TENTH_TICK if tick % 10 == 0 else []):
                    periodic.enqueue()
            except DatabaseError as error:
                if once or not database_away(error):
                    raise
                if not away:
                    log.exception("The scheduler cannot reach the database; trying again every %.0f s", interval)
                away = True
                connections.close_all()
            else:
                if away:
                    log.warning("The scheduler reaches the database again")
                away = False
                tick += 1
            if once:
                return
            time.sleep(interval)
            close_old_connections()  # as between requests: a connection the database dropped is opened afresh

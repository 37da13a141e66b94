import time

from django.core.management.base import BaseCommand

from operations.health import heartbeat
from operations.schedule import EVERY_TENTH_TICK, EVERY_TICK


class Command(BaseCommand):
    help = ("Enqueues the periodic tasks of operations/schedule.py (releasing lapsed holds, waitlist offers, retrying "
            "failed tasks) every --interval seconds; "
            "`manage.py db_worker` runs them. One scheduler per installation is enough; more do no harm.")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0)
        parser.add_argument("--once", action="store_true", help="Enqueue once and stop.")

    def handle(self, *args, interval, once, **options):
        tick = 0
        while True:
            heartbeat("scheduler")
            for periodic in EVERY_TICK + (EVERY_TENTH_TICK if tick % 10 == 0 else []):
                periodic.enqueue()
            tick += 1
            if once:
                return
            time.sleep(interval)

import time

from django.core.management.base import BaseCommand

from certification.tasks import remind_before_expiry
from courses.tasks import announce_new_dates, process_waitlists, send_reminders
from payments.tasks import reconcile_with_stripe, refund_cancelled_dates

PERIODIC_TASKS = [process_waitlists, announce_new_dates, send_reminders, refund_cancelled_dates]
EVERY_TENTH_TICK = [reconcile_with_stripe, remind_before_expiry]  # every five minutes at the default interval


class Command(BaseCommand):
    help = ("Enqueues the periodic tasks (releasing lapsed holds, waitlist offers) every --interval seconds; "
            "`manage.py db_worker` runs them. One scheduler per installation is enough; more do no harm.")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0)
        parser.add_argument("--once", action="store_true", help="Enqueue once and stop.")

    def handle(self, *args, interval, once, **options):
        tick = 0
        while True:
            for periodic in PERIODIC_TASKS + (EVERY_TENTH_TICK if tick % 10 == 0 else []):
                periodic.enqueue()
            tick += 1
            if once:
                return
            time.sleep(interval)

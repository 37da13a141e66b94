from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from places.reconcile import reconcile


class Command(BaseCommand):
    help = ("Fetches recent Checkout Sessions and refunds from Stripe and applies what missed webhooks left "
            "undone; resends refunds that have not reached Stripe. The worker also runs it every few minutes.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="How far back to look (default 3 days).")

    def handle(self, *args, days, **options):
        applied = reconcile(since=timezone.now() - timedelta(days=days))
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in applied.items()))

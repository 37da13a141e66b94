from django.core.management.base import BaseCommand

from demo.content import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Prints the demo's addresses and accounts."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port, **options):
        base = f"http://127.0.0.1:{port}"
        lines = [
            "",
            "Spoor 2 Academy demo",
            f"  Site:         {base}/",
            f"  English:      {base}/en/",
            f"  Courses:      {base}/opleidingen/",
            f"  CMS (admin):  {base}/admin/",
            f"  Health check: {base}/healthz/",
            f"  Demo accounts (password: {DEMO_PASSWORD}):",
            *(f"    {account['email']:<22} {account['role']}" for account in DEMO_ACCOUNTS),
            "  Every email (signup, confirmations, invoices, grades, refunds) is printed in this terminal.",
            "",
        ]
        self.stdout.write("\n".join(lines))

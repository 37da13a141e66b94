"""A live server (gunicorn, several workers) receives E signed Stripe events, plus D duplicates of some of
them, delivered concurrently in shuffled order: for P payments on held seats, each payment's
`checkout.session.completed` (unpaid: a delayed method) and `checkout.session.async_payment_succeeded`, so
successes often arrive before the completion they follow.

    .venv/bin/python bench/webhook_storm.py [--payments 1000] [--duplicates 500] [--workers 4]
    scripts/with-throwaway-postgres .venv/bin/python bench/webhook_storm.py

Last line: webhook_storm events=… duplicates=… applied_once=… double_applied=0 errors_5xx=0 p95_ms=… eps=…
applied_once counts payments that ended paid with their place confirmed exactly once and one invoice (issued
by a task worker run after the storm, not timed);
double_applied counts places confirmed more than once, extra invoices and events stored more than once.
"""

import argparse
import json
import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, django_setup, gunicorn, latency_figures, post_all  # noqa: E402

django_setup("storm", settings="bench.settings")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.models import ModelLogEntry  # noqa: E402

from accounts.models import User  # noqa: E402
from courses.models import Enrolment  # noqa: E402
from payments.models import Invoice, Payment, StripeEvent  # noqa: E402
from payments.stripe_double import sign  # noqa: E402

SEATS = 10


def prepare(payments: int) -> list[Payment]:
    """Held seats with an open payment each, on as many dates as they need."""
    from tests.factories import catalogue_site, make_course, make_date

    course = make_course(catalogue_site().catalogue, slug="storm")
    now = timezone.now()
    users = User.objects.bulk_create([User(email=f"storm{i}@example.org", full_name=f"Deelnemer {i}")
                                      for i in range(payments)])
    dates = [make_date(course, capacity=SEATS) for _ in range(-(-payments // SEATS))]
    enrolments = Enrolment.objects.bulk_create([
        Enrolment(course_date=dates[i // SEATS], user=user, status=Enrolment.Status.HELD, seat=i % SEATS + 1,
                  hold_expires_at=now + timedelta(hours=2), price_incl_vat=course.price_incl_vat,
                  terms_accepted_at=now)
        for i, user in enumerate(users)])
    return Payment.objects.bulk_create([
        Payment(enrolment=enrolment, amount=enrolment.price_incl_vat, checkout_session_id=f"cs_storm_{i}",
                expires_at=now + timedelta(hours=2))
        for i, enrolment in enumerate(enrolments)])


def events_for(payment: Payment, index: int) -> list[dict]:
    session = {"id": payment.checkout_session_id, "object": "checkout.session", "amount_total": 49500,
               "currency": "eur", "status": "complete", "payment_intent": f"pi_storm_{index}",
               "metadata": {"enrolment": str(payment.enrolment_id)}, "expires_at": int(payment.expires_at.timestamp())}
    return [{"id": f"evt_storm_{kind}_{index}", "object": "event", "type": f"checkout.session.{kind}",
             "api_version": "2025-10-29.clover", "created": 0, "livemode": False,
             "data": {"object": {**session, "payment_status": status}}}
            for kind, status in [("completed", "unpaid"), ("async_payment_succeeded", "paid")]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=1000)
    parser.add_argument("--duplicates", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    payments = prepare(args.payments)
    events = [event for index, payment in enumerate(payments) for event in events_for(payment, index)]
    rng = random.Random(7)
    deliveries = events + rng.sample(events, args.duplicates)
    rng.shuffle(deliveries)
    with gunicorn(workers=args.workers) as port:
        requests = []
        for event in deliveries:
            body = json.dumps(event).encode()
            requests.append(("/payments/stripe/webhook/", {
                "Content-Type": "application/json", "Stripe-Signature": sign(body, settings.STRIPE_WEBHOOK_SECRET)},
                body))
        results, elapsed = post_all(port, requests, args.concurrency)
    # The invoices (and emails) are queued in the same transactions; a worker issues them afterwards.
    subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    confirmations = (ModelLogEntry.objects.filter(action="enrolment.confirmed").values("object_id")
                     .annotate(n=Count("pk")))
    confirmed_twice = confirmations.filter(n__gt=1).count()
    extra_invoices = Invoice.objects.count() - Invoice.objects.values("payment").distinct().count()
    stored_twice = StripeEvent.objects.count() - StripeEvent.objects.values("event_id").distinct().count()
    applied_once = Payment.objects.filter(
        status=Payment.Status.PAID, enrolment__status=Enrolment.Status.CONFIRMED,
    ).annotate(invoices_issued=Count("invoices", filter=Q(invoices__kind="invoice"), distinct=True)).filter(
        invoices_issued=1).count()
    statuses = [status for status, _ in results]
    print(f"statuses: { {code: statuses.count(code) for code in sorted(set(statuses))} }, "
          f"events stored: {StripeEvent.objects.count()}, invoices: {Invoice.objects.count()}")
    print(f"webhook_storm db={connection.vendor.replace('postgresql', 'postgres')} events={len(events)} "
          f"duplicates={args.duplicates} applied_once={applied_once} "
          f"double_applied={confirmed_twice + extra_invoices + stored_twice} "
          f"errors_5xx={sum(1 for status in statuses if status >= 500)} {latency_figures(results).split()[1]} "
          f"eps={len(deliveries) / elapsed:.0f}")


if __name__ == "__main__":
    main()

"""N people press "enrol" at once, over HTTP, on one date with C seats, served by gunicorn with several
workers: on SQLite (a file) and on PostgreSQL (when DATABASE_URL points at one, or --postgres starts a
throwaway cluster through scripts/with-throwaway-postgres).

    .venv/bin/python bench/enrolment_race.py [--attempts 200] [--capacity 10] [--workers 4]
    scripts/with-throwaway-postgres .venv/bin/python bench/enrolment_race.py

Last line: enrolment_race db=… attempts=… capacity=… seats_taken=… errors_5xx=… p50_ms=… p95_ms=… rps=…
"""

import argparse
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402
    django_setup,
    enrol_requests,
    gunicorn,
    latency_figures,
    logged_in_people,
    post_all,
)

django_setup("race")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from payments.stripe_double import StripeDoubleServer  # noqa: E402


def prepare_dates(*capacities: int):
    """A fresh site with one course and a date of each capacity."""
    from tests.factories import catalogue_site, make_course, make_date

    course = make_course(catalogue_site().catalogue, slug=f"race-{secrets.token_hex(3)}")
    return [make_date(course, capacity=capacity) for capacity in capacities]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    warm_up_date, course_date = prepare_dates(1, args.capacity)
    warm_up_people, people = logged_in_people(args.concurrency), logged_in_people(args.attempts)
    with StripeDoubleServer() as stripe_double:  # the winners go on to Stripe's (stand-in's) payment page
        with gunicorn(workers=args.workers, env={"STRIPE_API_BASE": stripe_double.url}) as port:
            # Every worker serves this view once before the clock starts, as a running site's workers have.
            post_all(port, enrol_requests(warm_up_date, warm_up_people), args.concurrency)
            results, elapsed = post_all(port, enrol_requests(course_date, people), args.concurrency)

    from courses.models import Enrolment
    from payments.models import Payment

    statuses = [status for status, _ in results]
    seats_taken = Enrolment.objects.filter(course_date=course_date, status__in=Enrolment.SEATED).count()
    print(f"statuses: { {code: statuses.count(code) for code in sorted(set(statuses))} }, payment pages opened: "
          f"{Payment.objects.filter(enrolment__course_date=course_date).count()}")
    print(f"enrolment_race db={connection.vendor.replace('postgresql', 'postgres')} attempts={args.attempts} "
          f"capacity={args.capacity} seats_taken={seats_taken} "
          f"errors_5xx={sum(1 for status in statuses if status >= 500)} "
          f"{latency_figures(results)} "
          f"rps={len(results) / elapsed:.0f}")


if __name__ == "__main__":
    main()

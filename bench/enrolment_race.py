"""N people press "enrol" at once, over HTTP, on one date with C seats, served by gunicorn with several
workers: on SQLite (a file) and on PostgreSQL (when DATABASE_URL points at one, or --postgres starts a
throwaway cluster through scripts/with-throwaway-postgres).

    .venv/bin/python bench/enrolment_race.py [--attempts 200] [--capacity 10] [--workers 4] [--stripe-ms 0]
    scripts/with-throwaway-postgres .venv/bin/python bench/enrolment_race.py

Sessions and rate limits live in a throwaway Redis, as in production (Debian's redis-server).

Last line: enrolment_race db=… attempts=… capacity=… seats_taken=… errors_5xx=… p50_ms=… p95_ms=… rps=…
first_wave_p95_ms=… later_p95_ms=… stripe_ms=… stripe_calls_waited=…

The first wave is the first `--concurrency` presses, sent at once: every seat is taken among them, so it holds the
winners' work (a hold, Stripe's page) as well as refusals, all queued on the same cores. The presses after it are
refused as they come. The first wave is the slower, and it holds a quarter of the presses by default (50 of 200),
so the slowest twentieth, which p95 reads, lies in it: the two figures say which of the two a change moved.

Stripe's stand-in answers at once by default, so the figures are this site's own work. Stripe itself takes a few
hundred milliseconds to make a Checkout Session, and a winner waits for it while holding a gunicorn worker:
`--stripe-ms 300` makes each of the timed race's calls to Stripe take that long, to see what the refused presses
queued behind the winners pay for it (`stripe_calls_waited`: the calls that did, one per winner).
"""

import argparse
import os
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
    p95_ms,
    post_all,
    redis_server,
)


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
    parser.add_argument("--stripe-ms", type=int, default=0, help="how long each call to Stripe takes in the race")
    args = parser.parse_args()

    # Sessions and rate limits in a Redis the workers share, as production keeps them (without it each worker
    # would read every person's session from the database on their first request).
    with redis_server() as cache_url:
        os.environ["CACHE_URL"] = cache_url
        race(args)


def race(args) -> None:
    django_setup("race")
    from django.core.management import call_command
    from django.db import connection

    from courses.models import Enrolment
    from payments.models import Payment
    from payments.stripe_double import StripeDoubleServer

    call_command("migrate", verbosity=0)
    warm_up_date, course_date = prepare_dates(args.capacity, args.capacity)
    warm_up_people, people = logged_in_people(args.concurrency), logged_in_people(args.attempts)
    with StripeDoubleServer() as stripe_double:  # the winners go on to Stripe's (stand-in's) payment page
        with gunicorn(workers=args.workers, env={"STRIPE_API_BASE": stripe_double.url}) as port:
            # Before the clock starts the workers serve a race on another date, as a running site's workers have
            # served both kinds of press: the winners' (a hold and Stripe's page) and the refused.
            post_all(port, enrol_requests(warm_up_date, warm_up_people), args.concurrency)
            double = stripe_double.double
            with double.lock:  # from now on each call waits, as Stripe's own answers do (a press makes one at most)
                double.delay_next = args.attempts if args.stripe_ms else 0
                double.delay_seconds = args.stripe_ms / 1000
            results, elapsed = post_all(port, enrol_requests(course_date, people), args.concurrency)
            stripe_calls_waited = args.attempts - double.delay_next if args.stripe_ms else 0

    statuses = [status for status, _ in results]
    seats_taken = Enrolment.objects.filter(course_date=course_date, status__in=Enrolment.SEATED).count()
    print(f"statuses: { {code: statuses.count(code) for code in sorted(set(statuses))} }, payment pages opened: "
          f"{Payment.objects.filter(enrolment__course_date=course_date).count()}")
    print(f"enrolment_race db={connection.vendor.replace('postgresql', 'postgres')} attempts={args.attempts} "
          f"capacity={args.capacity} seats_taken={seats_taken} "
          f"errors_5xx={sum(1 for status in statuses if status >= 500)} "
          f"{latency_figures(results)} "
          f"rps={len(results) / elapsed:.0f} {_waves(results, args.concurrency)} stripe_ms={args.stripe_ms} "
          f"stripe_calls_waited={stripe_calls_waited}")


def _waves(results, concurrency: int) -> str:
    """p95 of the first wave of presses, and of those after it (the results in the order the presses were sent)."""
    return f"first_wave_p95_ms={p95_ms(results[:concurrency])} later_p95_ms={p95_ms(results[concurrency:])}"


if __name__ == "__main__":
    main()

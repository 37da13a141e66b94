"""On one 10-seat date, 20 contact persons each try to book 3 seats on invoice while 100 individuals try to
enrol, all at once over HTTP against gunicorn (a booking among every five individuals); then 50 people redeem
a 5-use voucher at once (on dates with a seat for each of them, so only the code is scarce). Beside it, the
same run's plain enrolment race (100 people, one 10-seat date) for the p95 to compare with. SQLite by default;
PostgreSQL through scripts/with-throwaway-postgres.

    .venv/bin/python bench/group_race.py [--workers 4] [--concurrency 50]
    scripts/with-throwaway-postgres .venv/bin/python bench/group_race.py

Last line: group_race db=… seats_taken=… overbooked=… bookings=… partial_bookings=… voucher_uses=…
errors_5xx=… p95_ms=… enrolment_race_p95_ms=…
"""

import argparse
import statistics
import sys
import urllib.parse
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import django_setup, enrol_requests, gunicorn, logged_in, logged_in_people, post_all  # noqa: E402,E501

django_setup("group-race")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.enrolment_race import prepare_dates  # noqa: E402
from payments.stripe_double import StripeDoubleServer  # noqa: E402


def p95(results) -> float:
    latencies = sorted(ms for _, ms in results)
    return statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]


def form(path: str, cookie: str, csrf: str, fields: dict) -> tuple[str, dict, bytes]:
    body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": csrf}).encode()
    return path, {"Cookie": cookie, "Referer": f"http://127.0.0.1{path}",
                  "Content-Type": "application/x-www-form-urlencoded"}, body


def contact_persons(count: int):
    """(Cookie, CSRF, organisation) for `count` contact persons, each of an organisation of their own."""
    from tests.factories import UserFactory, make_organisation

    people = []
    for number in range(count):
        contact = UserFactory()
        people.append((*logged_in(contact), make_organisation(contact, name=f"Bureau {number}")))
    return people


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--contacts", type=int, default=20, help="contact persons booking 3 seats each")
    parser.add_argument("--individuals", type=int, default=100,
                        help="people enrolling beside them, and in the plain race")
    parser.add_argument("--redeemers", type=int, default=50, help="people redeeming the 5-use code")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    from courses.models import Booking, Enrolment, Voucher
    from payments.models import Invoice

    warm_up, group_date, plain_date, *voucher_dates = prepare_dates(1, 10, 10, 10, 10, 10, 10, 10)
    voucher = Voucher.objects.create(code="VIJF", value=Decimal("10"), max_uses=5)
    contacts = contact_persons(args.contacts)
    individuals = logged_in_people(args.individuals)
    plain = logged_in_people(args.individuals)
    redeemers = logged_in_people(args.redeemers)
    warm_up_people = logged_in_people(args.concurrency)

    group_bookings = [form(f"/my/organisation/{organisation.pk}/book/", cookie, csrf,
                           {"course_date": group_date.pk, "seats": 3, "reference": "", "payment_method": "invoice",
                            "accept_terms": "on"})
                      for cookie, csrf, organisation in contacts]
    singles = enrol_requests(group_date, individuals)
    # A booking among every five individuals, in the order they arrive (gunicorn's workers take them in turn).
    race = [request for n, booking in enumerate(group_bookings) for request in (booking, *singles[5 * n:5 * n + 5])]
    codes = [form(f"/dates/{voucher_dates[n % 5].pk}/enrol/", cookie, csrf,
                  {"billing_type": "self", "accept_terms": "on", "voucher_code": "vijf"})
             for n, (cookie, csrf) in enumerate(redeemers)]

    with StripeDoubleServer() as stripe_double:
        with gunicorn(workers=args.workers, env={"STRIPE_API_BASE": stripe_double.url}) as port:
            post_all(port, enrol_requests(warm_up, warm_up_people), args.concurrency)
            plain_results, _ = post_all(port, enrol_requests(plain_date, plain), args.concurrency)
            results, _ = post_all(port, race, args.concurrency)
            code_results, _ = post_all(port, codes, args.concurrency)

    seated = Enrolment.objects.filter(course_date=group_date, status__in=Enrolment.SEATED)
    bookings = Booking.objects.filter(course_date=group_date)
    partial = sum(1 for booking in bookings if booking.places.filter(status__in=Enrolment.SEATED).count() != 3)
    invoices = Invoice.objects.filter(booking__course_date=group_date).count()
    voucher.refresh_from_db()
    statuses = [status for status, _ in results + code_results + plain_results]
    booking_statuses = [status for (path, _, _), (status, _) in zip(race, results, strict=True) if "/book/" in path]
    print(f"booking answers: { {code: booking_statuses.count(code) for code in sorted(set(booking_statuses))} }")
    print(f"group date: {bookings.count()} bookings of 3 ({invoices} invoices), "
          f"{seated.filter(booking__isnull=True).count()} individual seats; voucher places: "
          f"{Enrolment.objects.filter(voucher=voucher).count()}")
    print(f"group_race db={connection.vendor.replace('postgresql', 'postgres')} seats_taken={seated.count()} "
          f"overbooked={max(seated.count() - group_date.capacity, 0)} bookings={bookings.count()} "
          f"partial_bookings={partial} voucher_uses={voucher.uses} "
          f"errors_5xx={sum(1 for status in statuses if status >= 500)} p95_ms={p95(results):.0f} "
          f"enrolment_race_p95_ms={p95(plain_results):.0f}")


if __name__ == "__main__":
    main()

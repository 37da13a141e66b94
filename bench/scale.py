"""Key pages at 1×, 10× and 100× data: their time and size must not grow with it.

    .venv/bin/python bench/scale.py [REQUESTS_PER_PAGE]        # SQLite in a temporary file
    scripts/with-throwaway-postgres .venv/bin/python bench/scale.py

100× is the demo grown by 1,000 dates (half of them past), 100,000 places (ten seated per date, the rest
cancelled or run out), 10,000 people, a payment and an invoice per seated place, a certificate per seated place
on a past date; the demo coach gets two hundred past places, the demo trainer teaches every date. 1× is the demo
grown by a hundredth of that (10 dates, 1,000 places, 100 people), 10× by a tenth. Each page renders afresh (the
anonymous page cache off) and is measured as the person who uses it.

Each round's database is kept as a copy and the rounds' requests take turns, so the machine's slow moments fall on
all of them alike. Per page: time (the fastest of the requests: what the page costs; as timeit's documentation says,
slower runs are this shared machine's noise, which varies 1.5× between runs here), size and queries at 1×, 10× and
100×, and the 100× figures' ratios to 1× and to 10× (a list that holds fewer rows than a page at 1×, like the demo
coach's own places, grows until its page is full; from 10× on every page is).
Last line: `scale max_time_ratio=… max_size_ratio=… max_time_ratio_vs_10x=… max_size_ratio_vs_10x=… pages=…`
(target: ≤ 1.3).
"""

import gc
import os
import sqlite3
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PAGE_CACHE", "off")  # each request renders; bench/http_pages.py measures the page cache
os.environ.setdefault("DEMO", "1")  # the demo people: a coach with places, a trainer, the office

from bench.common import django_setup  # noqa: E402

django_setup("scale", settings="bench.settings")

import psycopg  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from certification.models import Certificate  # noqa: E402
from courses.models import CourseDate, CoursePage, Enrolment, MeetingDay  # noqa: E402
from payments.models import Invoice, Payment  # noqa: E402

# SCALE_SIZE shrinks the hundredfold demo for make test's run (0.05: 100x is 50 dates), which checks only that the
# bench still runs; its figures mean something at the full size.
SIZE = float(os.environ.get("SCALE_SIZE", "1"))
DATES, PLACES_PER_DATE, SEATED, PEOPLE = max(int(1_000 * SIZE), 20), 100, 10, max(int(10_000 * SIZE), 200)
BATCH = 2_000


def pages() -> list[tuple[str, str, str]]:
    """(name, who, path) for each key page."""
    demo_date = CourseDate.objects.filter(trainers__email="trainer@example.com").order_by("starts_at").first()
    return [
        ("course page", "", "/opleidingen/basistraining-2e-spoorcoaching/"),
        ("course page (coach)", "coach@example.com", "/opleidingen/basistraining-2e-spoorcoaching/"),
        ("catalogue", "", "/opleidingen/"),
        ("my courses", "coach@example.com", reverse("courses:my_courses")),
        ("trainer's dates", "trainer@example.com", reverse("courses_trainer:dates")),
        ("a date's participants", "trainer@example.com", reverse("courses_trainer:date", args=[demo_date.pk])),
        ("admin places", "admin@example.com", reverse("enrolment:index")),
        ("admin payments", "admin@example.com", reverse("payment:index")),
        ("admin invoices", "admin@example.com", reverse("invoice:index")),
        ("admin certificates", "admin@example.com", reverse("certificates:index")),
        ("a person's page", "admin@example.com",
         reverse("office:person", args=[User.objects.get(email="coach@example.com").pk])),
        ("people search", "admin@example.com", reverse("office:people") + "?q=coach"),
        ("admin home (today's work)", "admin@example.com", reverse("wagtailadmin_home")),
    ]


def snapshot(name: str) -> str:
    """A copy of the database as it is now, to measure later; returns its name (SQLite: its file)."""
    connection.close()
    current = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        copy = f"{current}.{name}"
        with sqlite3.connect(current) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        return copy
    copy = f"scale_{name}"
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                         password=settings["PASSWORD"], dbname="template1", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{copy}"')  # an earlier run's, on the same server
        server.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{current}"')
    return copy


def use(database: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = database


def measure(requests: int, pages: list[tuple[str, str, str]], databases: dict[str, str],
            ) -> dict[str, dict[str, tuple[float, int, int]]]:
    """Per round (1x, …) and page: the fastest time, the size and the queries. The rounds' requests take turns
    (a request to each round's copy, again and again), so a slow moment of the machine falls on all of them."""
    results = {round_: {} for round_ in databases}
    for name, who, path in pages:
        clients = {}
        for round_, database in databases.items():
            use(database)
            clients[round_] = client = Client()
            if who:
                client.force_login(User.objects.get(email=who))
            for _ in range(3):  # warm-up: templates compiled, the connection's caches filled
                client.get(path)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (name, path, response.status_code)
            results[round_][name] = (len(response.content), len(queries))
        timings = {round_: [] for round_ in databases}
        for _ in range(requests):
            for round_, database in databases.items():
                use(database)
                clients[round_].get(path)  # connects again: not timed
                start = time.perf_counter()
                clients[round_].get(path)
                timings[round_].append((time.perf_counter() - start) * 1000)
        for round_ in databases:
            results[round_][name] = (min(timings[round_]), *results[round_][name])
    return results


@transaction.atomic
def grow(share: float, batch: int) -> None:
    """`share` of the hundredfold demo, written in bulk (the services' rules hold: ten seats per date at most, one
    active place per person and date); `batch` numbers this round's rows apart from an earlier round's."""
    DATES, PEOPLE = int(globals()["DATES"] * share), int(globals()["PEOPLE"] * share)  # noqa: N806
    now = timezone.now()
    courses = list(CoursePage.objects.live().order_by("path"))
    trainer = User.objects.get(email="trainer@example.com")
    coach = User.objects.get(email="coach@example.com")
    people = User.objects.bulk_create(
        [User(email=f"deelnemer{batch}-{n}@schaal.example", full_name=f"Deelnemer {n}",
              password=make_password(None))
         for n in range(PEOPLE)],
        batch_size=BATCH)
    dates = []
    for n in range(DATES):
        starts = now + timedelta(days=(n - DATES // 2) * 2, hours=9 - now.hour, minutes=batch)
        dates.append(CourseDate(course=courses[n % len(courses)], capacity=SEATED, location_name="Utrecht",
                                starts_at=starts, ends_at=starts + timedelta(hours=8),
                                status=CourseDate.Status.COMPLETED if starts < now else CourseDate.Status.SCHEDULED))
    dates = CourseDate.objects.bulk_create(dates, batch_size=BATCH)
    MeetingDay.objects.bulk_create([MeetingDay(course_date=d, starts_at=d.starts_at, ends_at=d.ends_at, sort_order=0)
                                    for d in dates], batch_size=BATCH)
    CourseDate.trainers.through.objects.bulk_create(
        [CourseDate.trainers.through(coursedate_id=d.pk, user_id=trainer.pk) for d in dates], batch_size=BATCH)

    places, person = [], 0
    for index, course_date in enumerate(dates):
        past = course_date.starts_at < now
        for slot in range(PLACES_PER_DATE):
            seated = slot < SEATED
            user = coach if past and slot == 0 and index < DATES // 5 else people[person % PEOPLE]
            person += 1
            places.append(Enrolment(
                course_date=course_date, user=user, seat=slot + 1 if seated else None,
                status=Enrolment.Status.CONFIRMED if seated else (Enrolment.Status.CANCELLED if slot % 2
                                                                  else Enrolment.Status.EXPIRED),
                price_incl_vat=Decimal("495.00"), confirmed_at=course_date.starts_at - timedelta(days=20)
                if seated else None, ended_at=None if seated else course_date.starts_at - timedelta(days=10)))
    places = Enrolment.objects.bulk_create(places, batch_size=BATCH)
    seated = [place for place in places if place.seat]

    payments = Payment.objects.bulk_create(
        [Payment(enrolment=place, status=Payment.Status.PAID, amount=Decimal("495.00"),
                 checkout_session_id=f"cs_scale_{place.pk}", expires_at=now, paid_at=now) for place in seated],
        batch_size=BATCH)
    year = now.year
    first = (Invoice.objects.filter(year=year).order_by("-sequence").values_list("sequence", flat=True).first() or 0)
    Invoice.objects.bulk_create(
        [Invoice(number=f"{year}-{first + n + 1:06d}", year=year, sequence=first + n + 1, issued_at=now,
                 payment=payment, supplier={"name": "Spoor 2 Academy"},
                 customer={"name": f"Deelnemer {n}", "email": f"deelnemer{n}@schaal.example"},
                 description="1-daagse basistraining 2e spoorcoaching", amount_excl_vat=Decimal("495.00"),
                 vat_rate=Decimal("0"), vat_amount=Decimal("0"), total=Decimal("495.00"))
         for n, payment in enumerate(payments)], batch_size=BATCH)
    first = (Certificate.objects.filter(year=year).order_by("-sequence").values_list("sequence", flat=True).first()
             or 0)
    Certificate.objects.bulk_create(
        [Certificate(number=f"S2A-{year}-{first + n + 1:06d}", year=year, sequence=first + n + 1,
                     code=f"schaal{place.pk}", enrolment=place, user_id=place.user_id,
                     course_id=place.course_date.course_id, holder_name="Deelnemer",
                     course_title="1-daagse basistraining 2e spoorcoaching",
                     first_day=place.course_date.starts_at.date(), last_day=place.course_date.starts_at.date(),
                     net_hours=Decimal("6"), issued_at=place.course_date.ends_at)
         for n, place in enumerate(place for place in seated if place.course_date.starts_at < now)],
        batch_size=BATCH)


def main(requests: int) -> None:
    connection.settings_dict["CONN_MAX_AGE"] = None
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    key_pages = pages()  # the demo's own date, also once more dates exist
    databases = {}
    for name, share in (("1x", 0.01), ("10x", 0.09), ("100x", 0.9)):
        start = time.perf_counter()
        grow(share, batch=len(databases))
        print(f"{name}: {Enrolment.objects.count():,} places on {CourseDate.objects.count():,} dates for "
              f"{User.objects.count():,} people, grown in {time.perf_counter() - start:.0f} s ({connection.vendor})")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # what autovacuum does after such growth: plans for the real sizes
                cursor.execute("VACUUM ANALYZE")
        databases[name] = snapshot(name)
    gc.collect()
    rounds = measure(requests, key_pages, databases)
    ratios = {"1x": ([], []), "10x": ([], [])}
    for page in rounds["1x"]:
        big_ms, big_size, big_queries = rounds["100x"][page]
        line = f"{page:<22}"
        for base in ("1x", "10x"):
            ms, size, queries = rounds[base][page]
            ratios[base][0].append(big_ms / ms)
            ratios[base][1].append(big_size / size)
            line += f" {base}: {ms:6.1f} ms {size / 1024:5.1f} KB {queries:2d} q"
        print(f"{line}  100x: {big_ms:6.1f} ms {big_size / 1024:5.1f} KB {big_queries:2d} q  "
              f"vs 1x: time x{ratios['1x'][0][-1]:4.2f} size x{ratios['1x'][1][-1]:4.2f}  "
              f"vs 10x: time x{ratios['10x'][0][-1]:4.2f} size x{ratios['10x'][1][-1]:4.2f}")
    print(f"scale db={connection.vendor} max_time_ratio={max(ratios['1x'][0]):.2f} "
          f"max_size_ratio={max(ratios['1x'][1]):.2f} max_time_ratio_vs_10x={max(ratios['10x'][0]):.2f} "
          f"max_size_ratio_vs_10x={max(ratios['10x'][1]):.2f} pages={len(rounds['1x'])}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)

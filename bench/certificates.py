"""Issues N certificates (PDF rendered and stored, numbered, checksummed) for completed places, one after
another in this process (so the rate is per core), then serves the verification page under concurrent load
from gunicorn, next to a plain page for comparison.

    .venv/bin/python bench/certificates.py [--certificates 1000] [--requests 2000] [--workers 2]
    scripts/with-throwaway-postgres .venv/bin/python bench/certificates.py

Last line: certificates issued=… pdf_per_s=… verify_rps=… verify_p95_ms=… plain_p95_ms=…
(the plain page is the catalogue index; both are measured the same way, on the same server).
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import django_setup, get_all, gunicorn, latency_figures  # noqa: E402

django_setup("certificates", settings="bench.settings")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from certification.models import Certificate  # noqa: E402
from certification.services import certificate_issue  # noqa: E402
from courses.models import Enrolment  # noqa: E402

SEATS = 10


def prepare(count: int) -> list[Enrolment]:
    """Completed places on dates that took place, as many dates as they need."""
    from tests.factories import catalogue_site, make_course, make_date, move_to_yesterday

    course = make_course(catalogue_site().catalogue, slug="certificaten", certificate_validity_years=4)
    now = timezone.now()
    users = User.objects.bulk_create([User(email=f"alumnus{i}@example.org", full_name=f"Alumnus Nummer {i}")
                                      for i in range(count)])
    dates = [make_date(course, capacity=SEATS) for _ in range(-(-count // SEATS))]
    for course_date in dates:
        move_to_yesterday(course_date)
    return Enrolment.objects.bulk_create([
        Enrolment(course_date=dates[i // SEATS], user=user, status=Enrolment.Status.CONFIRMED, seat=i % SEATS + 1,
                  confirmed_at=now, completed_at=now, terms_accepted_at=now)
        for i, user in enumerate(users)])


def main(count: int, requests: int, workers: int, concurrency: int) -> None:
    call_command("migrate", verbosity=0)
    places = prepare(count)
    certificate_issue(enrolment=places[0])  # warm-up: fonts, templates, first queries
    started = time.perf_counter()
    for place in places[1:]:
        certificate_issue(enrolment=place)
    pdf_per_s = (count - 1) / (time.perf_counter() - started)
    issued = Certificate.objects.filter(status=Certificate.Status.VALID).count()
    codes = list(Certificate.objects.values_list("code", flat=True))
    connection.close()

    with gunicorn(workers=workers) as port:
        get_all(port, ["/verify/" + codes[0] + "/", "/opleidingen/"] * workers * 2, concurrency)  # warm-up
        plain, _ = get_all(port, ["/opleidingen/"] * requests, concurrency)
        verify, seconds = get_all(port, [f"/verify/{random.choice(codes)}/" for _ in range(requests)], concurrency)
    failures = sum(status != 200 for status, _ in verify + plain)
    print(f"verification: {latency_figures(verify)} · plain page: {latency_figures(plain)} · failures={failures}")
    print(f"certificates db={connection.vendor} issued={issued} pdf_per_s={pdf_per_s:.0f} "
          f"verify_rps={requests / seconds:.0f} verify_p95_ms={latency_figures(verify).split('p95_ms=')[1]} "
          f"plain_p95_ms={latency_figures(plain).split('p95_ms=')[1]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    arguments = parser.parse_args()
    main(arguments.certificates, arguments.requests, arguments.workers, arguments.concurrency)

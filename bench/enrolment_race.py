"""N people press "enrol" at once, over HTTP, on one date with C seats, served by gunicorn with several
workers: on SQLite (a file) and on PostgreSQL (when DATABASE_URL points at one, or --postgres starts a
throwaway cluster through scripts/with-throwaway-postgres).

    .venv/bin/python bench/enrolment_race.py [--attempts 200] [--capacity 10] [--workers 4]
    scripts/with-throwaway-postgres .venv/bin/python bench/enrolment_race.py

Last line: enrolment_race db=… attempts=… capacity=… seats_taken=… errors_5xx=… p50_ms=… p95_ms=… rps=…
"""

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/race.sqlite3")
os.environ.setdefault("CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from payments.stripe_double import StripeDoubleServer  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_dates(*capacities: int):
    """A fresh site with one course and a date of each capacity."""
    from tests.factories import catalogue_site, make_course, make_date

    course = make_course(catalogue_site().catalogue, slug=f"race-{secrets.token_hex(3)}")
    return [make_date(course, capacity=capacity) for capacity in capacities]


def logged_in_people(count: int) -> list[tuple[str, str]]:
    """(Cookie header, CSRF token) for `count` new people, each logged in with a session of their own."""
    from tests.factories import UserFactory

    cookies = []
    for _ in range(count):
        user = UserFactory()
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = secrets.token_hex(16)  # an unmasked 32-character secret is a valid token
        cookies.append((f"{settings.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={csrf}", csrf))
    return cookies


async def attempt(port: int, path: str, cookie: str, csrf: str, gate: asyncio.Semaphore):
    """One POST over a fresh connection, written by hand: the load generator must cost far less CPU than
    the server it measures, on the same two cores."""
    body = urllib.parse.urlencode({"billing_type": "self", "accept_terms": "on", "csrfmiddlewaretoken": csrf})
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
            f"Referer: http://127.0.0.1:{port}{path}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    async with gate:
        start = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write((head + body).encode())
            await writer.drain()
            status = int((await asyncio.wait_for(reader.readline(), 60)).split()[1])
            await reader.read()
            writer.close()
        except (OSError, IndexError, ValueError):  # TimeoutError is an OSError
            status = 599
        return status, (time.perf_counter() - start) * 1000


async def race(port: int, path: str, cookies, concurrency: int):
    gate = asyncio.Semaphore(concurrency)
    return await asyncio.gather(*(attempt(port, path, cookie, csrf, gate) for cookie, csrf in cookies))


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
    port = free_port()
    stripe_double = StripeDoubleServer().__enter__()  # the winners go on to Stripe's (stand-in's) payment page
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lms.wsgi", "--workers", str(args.workers), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "STRIPE_API_BASE": stripe_double.url},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        # Every worker serves this view once before the clock starts, as a running site's workers have.
        asyncio.run(race(port, f"/dates/{warm_up_date.pk}/enrol/", warm_up_people, args.concurrency))
        started = time.perf_counter()
        results = asyncio.run(race(port, f"/dates/{course_date.pk}/enrol/", people, args.concurrency))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        stripe_double.__exit__()

    from courses.models import Enrolment
    from payments.models import Payment

    statuses = [status for status, _ in results]
    latencies = [ms for _, ms in results]
    seats_taken = Enrolment.objects.filter(course_date=course_date, status__in=Enrolment.SEATED).count()
    print(f"statuses: { {code: statuses.count(code) for code in sorted(set(statuses))} }, payment pages opened: "
          f"{Payment.objects.filter(enrolment__course_date=course_date).count()}")
    print(f"enrolment_race db={connection.vendor.replace('postgresql', 'postgres')} attempts={args.attempts} "
          f"capacity={args.capacity} seats_taken={seats_taken} "
          f"errors_5xx={sum(1 for status in statuses if status >= 500)} "
          f"p50_ms={statistics.median(latencies):.0f} p95_ms={statistics.quantiles(latencies, n=20)[18]:.0f} "
          f"rps={len(results) / elapsed:.0f}")


if __name__ == "__main__":
    main()

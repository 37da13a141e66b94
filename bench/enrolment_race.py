"""N people press "enrol" at once, over HTTP, on one date with C seats, served by gunicorn with several
workers: on SQLite (a file) and on PostgreSQL (when DATABASE_URL points at one, or --postgres starts a
throwaway cluster through scripts/with-throwaway-postgres).

    .venv/bin/python bench/enrolment_race.py [--attempts 200] [--capacity 10] [--workers 4]
    scripts/with-throwaway-postgres .venv/bin/python bench/enrolment_race.py

Last line: enrolment_race db=… attempts=… capacity=… seats_taken=… errors_5xx=… p50_ms=… p95_ms=… rps=…
"""

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
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


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(attempts: int, capacity: int):
    from courses.models import Enrolment
    from tests.factories import UserFactory, catalogue_site, make_course, make_date

    call_command("migrate", verbosity=0)
    Enrolment.objects.all().delete()
    course_date = make_date(make_course(catalogue_site().catalogue, slug=f"race-{secrets.token_hex(3)}"),
                            capacity=capacity)
    cookies = []
    for _ in range(attempts):
        user = UserFactory()
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = secrets.token_hex(16)  # an unmasked 32-character secret is a valid token
        cookies.append((f"{settings.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={csrf}", csrf))
    return course_date, cookies


def attempt(url: str, cookie: str, csrf: str):
    body = urllib.parse.urlencode({"billing_type": "self", "accept_terms": "on",
                                   "csrfmiddlewaretoken": csrf}).encode()
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookie, "Referer": url})
    start = time.perf_counter()
    try:
        with OPENER.open(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 599
    return status, (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()

    course_date, cookies = prepare(args.attempts, args.capacity)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lms.wsgi", "--workers", str(args.workers), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        url = f"{base}/dates/{course_date.pk}/enrol/"
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            results = list(pool.map(lambda pair: attempt(url, *pair), cookies))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    from courses.models import Enrolment

    statuses = [status for status, _ in results]
    latencies = [ms for _, ms in results]
    seats_taken = Enrolment.objects.filter(course_date=course_date, status__in=Enrolment.SEATED).count()
    print(f"statuses: { {code: statuses.count(code) for code in sorted(set(statuses))} }")
    print(f"enrolment_race db={connection.vendor.replace('postgresql', 'postgres')} attempts={args.attempts} "
          f"capacity={args.capacity} seats_taken={seats_taken} "
          f"errors_5xx={sum(1 for status in statuses if status >= 500)} "
          f"p50_ms={statistics.median(latencies):.0f} p95_ms={statistics.quantiles(latencies, n=20)[18]:.0f} "
          f"rps={len(results) / elapsed:.0f}")


if __name__ == "__main__":
    main()

"""Renders each public page type N times against the demo content and prints latency and query counts (the
anonymous page cache off: this is the cost of a render).

    .venv/bin/python bench/pages.py [N]          # SQLite in a temporary file
    DATABASE_URL=postgres://... .venv/bin/python bench/pages.py

Last line: `pages requests=… p50_ms=… p95_ms=… max_queries=…` (over all pages).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
os.environ.setdefault("PAGE_CACHE", "off")  # each request renders; bench/http_pages.py measures the page cache
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from operations.health import heartbeat  # noqa: E402

PAGES = [
    "/", "/opleidingen/", "/opleidingen/basistraining-2e-spoorcoaching/",
    "/opleidingen/secure-base-coach/rouw/", "/en/opleidingen/groepsprogramma-spoor-2/", "/healthz/",
]


def main(requests_per_page: int) -> None:
    connection.settings_dict["CONN_MAX_AGE"] = None  # persistent, as production's CONN_MAX_AGE keeps it
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    for process in ("scheduler", "worker"):  # /healthz/ answers 503 until both have been heard from
        heartbeat(process)
    client = Client()
    all_ms, max_queries = [], 0
    for path in PAGES:
        client.get(path)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        query_count = len(queries)  # now: later requests reset the connection's query log
        timings = []
        for _ in range(requests_per_page):
            start = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        all_ms += timings
        max_queries = max(max_queries, query_count)
        print(f"{path:<48} p50_ms={statistics.median(timings):6.1f} "
              f"p95_ms={statistics.quantiles(timings, n=20)[18]:6.1f} queries={query_count}")
    print(f"pages db={connection.vendor} requests={len(all_ms)} p50_ms={statistics.median(all_ms):.1f} "
          f"p95_ms={statistics.quantiles(all_ms, n=20)[18]:.1f} max_queries={max_queries}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)

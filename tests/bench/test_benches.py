"""Every bench in bench/ runs here at a tiny size and prints its figures line, so none rots unnoticed (they once
imported a helper that had moved). On the PostgreSQL pass of `make test` only, each bench in a database of its
own, copied from the test database as migrated, before any test used it (tests/conftest.py). What is asserted are
the bench's own correctness figures (no seat over the cap, nothing applied twice, no 5xx), never its speed: speed
is what the benches print at full size."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench import server_url

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="the PostgreSQL pass runs the benches"),
]

BENCHES = {  # each bench script, at a tiny size, and what its last line must say
    "bench/enrolment_race.py": (["--attempts", "20", "--workers", "2", "--concurrency", "5", "--stripe-ms", "20"],
                                {"seats_taken": "10", "errors_5xx": "0", "stripe_calls_waited": "10"}),
    "bench/group_race.py": (["--workers", "2", "--concurrency", "5", "--contacts", "4", "--individuals", "20",
                             "--redeemers", "10"],
                            {"overbooked": "0", "partial_bookings": "0", "voucher_uses": "5", "errors_5xx": "0"}),
    "bench/webhook_storm.py": (["--payments", "20", "--duplicates", "10", "--workers", "2", "--concurrency", "5"],
                               {"applied_once": "20", "double_applied": "0", "errors_5xx": "0"}),
    "bench/certificates.py": (["--certificates", "5", "--requests", "20", "--workers", "2", "--concurrency", "4"],
                              {"issued": "5"}),
    "bench/pages.py": (["2"], {}),
    "bench/scale.py": (["1"], {}),
    "bench/http_pages.py": (["1", "1"], {}),
    "bench/scale_out.py": (["1"], {"seats_taken": "10", "double_applied": "0", "certificate_ok": "1",
                                   "errors_5xx": "0"}),
    "bench/chaos.py": (["--seconds", "25", "--people", "40", "--dates", "3", "--graduates", "10"],
                       {"kills": "6", "redis_outages": "1", "pg_restarts": "1", "over_cap": "0", "lost_payments": "0",
                        "double_applied": "0", "missing_certificates": "0", "lost_mails": "0", "stuck_tasks": "0",
                        "errors_5xx_outside_outages": "0", "errors_5xx_redis_away": "0"}),
}


@pytest.fixture
def bench_database(django_db_setup, worker_id, request):
    """A database of the bench's own, copied from the migrated one the test run made (tests/conftest.py)."""
    import psycopg

    name = f"bench_{request.node.callspec.id}_{os.getpid()}"
    with psycopg.connect(server_url(), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}" TEMPLATE "bench_template_{worker_id}"')
    yield server_url(name)
    with psycopg.connect(server_url(), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for copy in ("scale_1x", "scale_10x", "scale_100x"):  # bench/scale.py's copies, on this server
            server.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


@pytest.mark.parametrize("bench", list(BENCHES))
def test_the_bench_runs_and_prints_its_figures(bench, bench_database):
    arguments, expected = BENCHES[bench]
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DJANGO_SETTINGS_MODULE", "CACHE_URL", "PYTEST_XDIST_WORKER")}
    result = subprocess.run([sys.executable, bench, *arguments], cwd=ROOT, capture_output=True,
                            text=True, timeout=600, env={**environment, "DATABASE_URL": bench_database,
                                                         "SCALE_SIZE": "0.02"})
    assert result.returncode == 0, result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"{Path(bench).stem} "), last
    figures = dict(re.findall(r"(\w+)=(\S+)", last))
    for name, value in expected.items():
        assert figures.get(name) == value, (name, last)

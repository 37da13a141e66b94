"""Pages served as in production, measured against a bare Django view served the same way.

    .venv/bin/python bench/http_pages.py [SECONDS_PER_PAGE]

Both sites run under gunicorn with 2 workers and DEBUG off; the project with its production settings (Redis as
the cache, the demo content in SQLite, or in PostgreSQL when DATABASE_URL points at one). wrk keeps 32 requests
in flight on each page in turn. Needs Debian's wrk and redis-server.

Per page: req_s, ratio_to_bare, p99_ms, queries (what one more request to the warm site costs the database) and
queries_rendered (what rendering the page costs it: for a signed-in person, just after something about them
changed; max_queries_logged_in is the highest of these). A signed-in browser sends its session and CSRF cookies,
so its pages are kept for it (core.page_cache) as they are for a real browser.
Last line: `http_pages anon_min_ratio=… logged_in_min_ratio=… max_queries_logged_in=…`.
"""

import base64
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, gunicorn, redis_server, wrk  # noqa: E402

ANONYMOUS = {
    "home": "/",
    "catalogue": "/opleidingen/",
    "course": "/opleidingen/basistraining-2e-spoorcoaching/",
    "module": "/opleidingen/secure-base-coach/rouw/",
    "verification": None,  # the demo alumna's certificate, filled in once the demo exists
}
LOGGED_IN = {
    "my_courses": "/my/courses/",
    "course": "/opleidingen/basistraining-2e-spoorcoaching/",
    "module": "/opleidingen/basistraining-2e-spoorcoaching/voorbereiding/",
}


def production_environment(workdir: str, cache_url: str) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.http_settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{workdir}/pages.sqlite3"),
        "CACHE_URL": cache_url,
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "DEFAULT_FROM_EMAIL": "noreply@example.org",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "CERTIFICATE_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "PRIVATE_MEDIA_ROOT": f"{workdir}/private",
        "STATIC_ROOT": f"{workdir}/static",
        "LOG_LEVEL": "WARNING",
        "DEMO": "1",  # the demo people: a coach with places, an alumna with a certificate
    }


def prepare_site(environment: dict) -> None:
    """Migrates, collects the static files and seeds the demo, as a release would."""
    python = [sys.executable, "manage.py"]
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"], ["seed_demo"]):
        subprocess.run(python + command, cwd=ROOT, env={**os.environ, **environment}, check=True,
                       stdout=subprocess.DEVNULL)


class SiteProbe:
    """Looks at the running site from inside: its database and cache are the benchmark's own."""

    def __init__(self, port: int):
        from django.test import Client

        self.host = f"127.0.0.1:{port}"
        self.client = Client(HTTP_HOST=self.host)

    def verification_path(self) -> str:
        from django.urls import reverse

        from certification.models import Certificate

        return reverse("verify", args=[Certificate.objects.get(user__email="alumni@example.com").code])

    def session_cookie(self, email: str) -> str:
        """The cookies a signed-in browser sends: its session, and the CSRF cookie its first page gave it."""
        from django.conf import settings

        from accounts.models import User

        self.user = User.objects.get(email=email)
        self.client.force_login(self.user)
        self.client.get(LOGGED_IN["my_courses"])
        return "; ".join(f"{name}={self.client.cookies[name].value}"
                         for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME))

    def queries(self, path: str, cookie: str | None) -> tuple[int, int]:
        """The queries of one request to a warm page (an earlier request filled what can be cached), and of one
        that renders it (for a signed-in person: just after something about them changed)."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from core import page_cache

        client = self.client if cookie else Client(HTTP_HOST=self.host)
        counts = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            counts.append(len(captured))
        if cookie:
            page_cache.person_changed(self.user.pk)
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            rendered = len(captured)
            client.get(path)  # kept again for the load that follows
        else:
            rendered = counts[0]
        return counts[-1], rendered


def measure_bare(seconds: float) -> float:
    """The bare view's req/s: the mean of two runs in a row (a single run drifts by a few %)."""
    runs = []
    with gunicorn(workers=2, env={"DJANGO_SETTINGS_MODULE": "bench.bare_settings"}) as port:
        for _ in range(2):
            runs.append(wrk(f"http://127.0.0.1:{port}/", seconds=seconds))
            print(f"{'bare django':<28} req_s={runs[-1]['req_s']:7.0f} p99_ms={runs[-1]['p99_ms']:6.1f}")
    return sum(run["req_s"] for run in runs) / len(runs)


def main(seconds: float) -> None:
    workdir = tempfile.mkdtemp(prefix="bench-http-pages-")
    with redis_server() as cache_url:
        environment = production_environment(workdir, cache_url)
        prepare_site(environment)
        os.environ.update(environment)
        import django

        django.setup()
        from home.health import heartbeat

        for process in ("scheduler", "worker"):  # /healthz/ (the servers' readiness check) wants both heard from
            heartbeat(process)
        bare = measure_bare(seconds)

        ratios = {"anonymous": [], "logged in": []}
        max_queries_logged_in = 0
        with gunicorn(workers=2) as port:
            probe = SiteProbe(port)
            ANONYMOUS["verification"] = probe.verification_path()
            session = probe.session_cookie("coach@example.com")
            for who, pages, cookie in (("anonymous", ANONYMOUS, None), ("logged in", LOGGED_IN, session)):
                headers = {"Cookie": cookie} if cookie else {}
                for name, path in pages.items():
                    queries, rendered = probe.queries(path, cookie)  # also warms the site for this page
                    result = wrk(f"http://127.0.0.1:{port}{path}", seconds=seconds, headers=headers)
                    ratio = result["req_s"] / bare
                    ratios[who].append(ratio)
                    if cookie:
                        max_queries_logged_in = max(max_queries_logged_in, rendered)
                    print(f"{who + ' ' + name:<28} req_s={result['req_s']:7.0f} ratio_to_bare={ratio:.3f} "
                          f"p99_ms={result['p99_ms']:6.1f} queries={queries} queries_rendered={rendered} "
                          f"errors={result['errors']}")
    print(f"http_pages anon_min_ratio={min(ratios['anonymous']):.3f} "
          f"logged_in_min_ratio={min(ratios['logged in']):.3f} max_queries_logged_in={max_queries_logged_in}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 5)

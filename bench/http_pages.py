"""Pages served as in production, measured against two yardsticks served the same way: a bare Django view, and the
home page of a default `wagtail start` site, as it comes.

    .venv/bin/python bench/http_pages.py [SECONDS_PER_PAGE] [RUNS]

All sites run under gunicorn with 2 workers and DEBUG off: the project with its production settings (Redis as the
cache, the demo content in SQLite, or in PostgreSQL when DATABASE_URL points at one); the Wagtail site this
script makes with `wagtail start` (its production settings, its SQLite database, a secret key and the allowed
hosts added: nothing else). wrk keeps 32 requests in flight on each page in turn. Needs Debian's wrk and
redis-server.

Anonymous pages come from the shared page cache (core.page_cache), and are compared with the bare view. A
signed-in person's page is never kept: every request renders it afresh, and is compared with the Wagtail home
page. Everything shares two cores, so each run measures the yardsticks and the pages in turn, RUNS times (3 by
default), and the figures are the median ratios of those runs.

Per page: req_s (median), ratio (median; to the bare view, or to the Wagtail page), p99_ms, queries (of one more
request to the warm site; for a signed-in person that is the page rendered afresh) and cached (signed-in answers
that came from a cache: 0). Last line:
`http_pages anon_min_ratio=… logged_in_render_vs_wagtail=… max_queries_logged_in=…`, the lowest medians.
"""

import base64
import os
import secrets
import statistics
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

        self.client.force_login(User.objects.get(email=email))
        self.client.get(LOGGED_IN["my_courses"])
        return "; ".join(f"{name}={self.client.cookies[name].value}"
                         for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME))

    def queries(self, path: str, signed_in: bool) -> tuple[int, bool]:
        """The queries of one request to a warm page (earlier requests filled what is shared), and whether it came
        from the page cache."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = self.client if signed_in else Client(HTTP_HOST=self.host)
        for _ in range(3):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return len(captured), response.has_header("X-Page-Cache") and response["X-Page-Cache"] == "hit"


def wagtail_site(workdir: str) -> Path:
    """A default `wagtail start` project, migrated, its static files collected: the yardstick's home page."""
    site = Path(workdir) / "wagtail_site"
    site.mkdir()
    subprocess.run([str(Path(sys.executable).parent / "wagtail"), "start", "yardstick", str(site)], check=True,
                   stdout=subprocess.DEVNULL)
    (site / "yardstick" / "settings" / "local.py").write_text(
        f"SECRET_KEY = {secrets.token_urlsafe(50)!r}\nALLOWED_HOSTS = ['127.0.0.1', 'localhost']\n")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "yardstick.settings.production"}
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=site, env=environment, check=True,
                       stdout=subprocess.DEVNULL)
    return site


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main(seconds: float, runs: int) -> None:
    workdir = tempfile.mkdtemp(prefix="bench-http-pages-")
    yardstick = wagtail_site(workdir)
    with redis_server() as cache_url:
        environment = production_environment(workdir, cache_url)
        prepare_site(environment)
        os.environ.update(environment)
        import django

        django.setup()
        from operations.health import heartbeat

        for process in ("scheduler", "worker"):  # /healthz/ (the servers' readiness check) wants both heard from
            heartbeat(process)
        wagtail_env = {"DJANGO_SETTINGS_MODULE": "yardstick.settings.production", "DATABASE_URL": "",
                       "CACHE_URL": ""}
        with (gunicorn(workers=2, env={"DJANGO_SETTINGS_MODULE": "bench.bare_settings"}) as bare_port,
              gunicorn(workers=2, env=wagtail_env, application="yardstick.wsgi", site=yardstick,
                       ready="/") as wagtail_port,
              gunicorn(workers=2) as port):
            probe = SiteProbe(port)
            ANONYMOUS["verification"] = probe.verification_path()
            session = probe.session_cookie("coach@example.com")
            pages = [("anonymous " + name, path, None) for name, path in ANONYMOUS.items()] + [
                ("logged in " + name, path, session) for name, path in LOGGED_IN.items()]
            queries = {name: probe.queries(path, cookie is not None) for name, path, cookie in pages}  # warms too
            measured = {name: [] for name in ["bare django", "wagtail start home", *[page[0] for page in pages]]}
            for _ in range(runs):
                bare = wrk(f"http://127.0.0.1:{bare_port}/", seconds=seconds)
                wagtail = wrk(f"http://127.0.0.1:{wagtail_port}/", seconds=seconds)
                measured["bare django"].append({**bare, "ratio": 1.0})
                measured["wagtail start home"].append({**wagtail, "ratio": 1.0})
                for name, path, cookie in pages:
                    result = wrk(f"http://127.0.0.1:{port}{path}", seconds=seconds,
                                 headers={"Cookie": cookie} if cookie else {})
                    yardstick_req_s = wagtail["req_s"] if cookie else bare["req_s"]
                    measured[name].append({**result, "ratio": result["req_s"] / yardstick_req_s})
    for name, results in measured.items():
        line = (f"{name:<28} req_s={median_of(results, 'req_s'):7.0f} ratio={median_of(results, 'ratio'):.3f} "
                f"p99_ms={median_of(results, 'p99_ms'):6.1f} errors={sum(r['errors'] for r in results)}")
        if name in queries:
            line += f" queries={queries[name][0]} cached={int(queries[name][1] and name.startswith('logged'))}"
        print(line)
    anonymous = [median_of(measured[name], "ratio") for name in measured if name.startswith("anonymous")]
    logged_in = [median_of(measured[name], "ratio") for name in measured if name.startswith("logged in")]
    max_queries = max(count for name, (count, _hit) in queries.items() if name.startswith("logged in"))
    print(f"http_pages anon_min_ratio={min(anonymous):.3f} logged_in_render_vs_wagtail={min(logged_in):.3f} "
          f"max_queries_logged_in={max_queries}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 5, int(sys.argv[2]) if len(sys.argv) > 2 else 3)

"""What the HTTP benchmarks share: a gunicorn server on a free loopback port, and a light asyncio client that
keeps a fixed number of requests in flight (it must cost far less CPU than the server it measures)."""

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(name: str, settings: str = "lms.settings.test") -> None:
    """Django for a benchmark: a fresh SQLite file unless DATABASE_URL points elsewhere (PostgreSQL), and a
    fresh directory for the private files it writes (invoices, certificates), outside the checkout."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    workdir = tempfile.mkdtemp(prefix=f"bench-{name}-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/{name}.sqlite3")
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", f"{workdir}/private")
    os.environ.setdefault("CONN_MAX_AGE", "60")
    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, workers: int, env: dict | None = None, cwd: Path = ROOT, application: str = "lms.wsgi",
             site: Path = ROOT, ready: str = "/healthz/"):
    """Yields the port of a running gunicorn serving the project with the current environment (env's
    DJANGO_SETTINGS_MODULE, if given, picks another site: bench.bare_settings, say), or another project
    (`application` in the folder `site`), once `ready` answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", application, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--chdir", str(site)],
        cwd=cwd, env={**os.environ, **(env or {})},
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=1)  # noqa: S310
                break
            except urllib.error.HTTPError:  # it answers (a 503 from /healthz/ without a scheduler is an answer)
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _request(port: int, method: str, path: str, headers: dict, body: bytes, gate: asyncio.Semaphore):
    head = "".join(f"{name}: {value}\r\n" for name, value in {
        "Host": f"127.0.0.1:{port}", "Content-Length": str(len(body)), "Connection": "close", **headers}.items())
    async with gate:
        start = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"{method} {path} HTTP/1.1\r\n{head}\r\n".encode() + body)
            await writer.drain()
            status = int((await asyncio.wait_for(reader.readline(), 60)).split()[1])
            await reader.read()
            writer.close()
        except (OSError, IndexError, ValueError):  # TimeoutError is an OSError
            status = 599
        return status, (time.perf_counter() - start) * 1000


def _all(port: int, method: str, requests: list[tuple[str, dict, bytes]], concurrency: int):
    async def run():
        gate = asyncio.Semaphore(concurrency)
        return await asyncio.gather(*(_request(port, method, path, headers, body, gate)
                                      for path, headers, body in requests))

    started = time.perf_counter()
    results = asyncio.run(run())
    return results, time.perf_counter() - started


def post_all(port: int, requests: list[tuple[str, dict, bytes]], concurrency: int):
    """POSTs every (path, headers, body) with `concurrency` in flight. Returns ([(status, ms)], seconds)."""
    return _all(port, "POST", requests, concurrency)


def get_all(port: int, paths: list[str], concurrency: int):
    """GETs every path with `concurrency` in flight. Returns ([(status, ms)], seconds)."""
    return _all(port, "GET", [(path, {}, b"") for path in paths], concurrency)


def latency_figures(results) -> str:
    latencies = [ms for _, ms in results]
    return f"p50_ms={statistics.median(latencies):.0f} p95_ms={p95_ms(results)}"


def p95_ms(results) -> str:
    """The 95th percentile of the answers' latencies, as the benches print it ("-" for fewer than two answers)."""
    latencies = [ms for _, ms in results]
    return f"{statistics.quantiles(latencies, n=20)[18]:.0f}" if len(latencies) > 1 else "-"


@contextlib.contextmanager
def redis_server():
    """Yields the URL of a throwaway Redis on loopback (Debian's redis-server), nothing kept on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("This benchmark needs Redis, as production does: apt-get install redis-server")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--daemonize", "no", "--loglevel", "warning"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


def wrk(url: str, *, seconds: float, connections: int = 32, headers: dict | None = None) -> dict:
    """Drives url with wrk (two threads, as wrk does by default; `connections` in flight, keep-alive). Returns
    req_s, p99_ms, errors (non-2xx/3xx answers and socket errors)."""
    binary = shutil.which("wrk")
    if binary is None:
        sys.exit("This benchmark drives pages with wrk: apt-get install wrk")
    command = [binary, "-t2", f"-c{connections}", f"-d{seconds:g}s", "--latency", url]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "req_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p99_ms": float(p99.group(1)) * units[p99.group(2)],
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0),
    }


def logged_in(user) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a session of its own for the person (Django is set up)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()  # as a login makes it: in the cache too
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = secrets.token_hex(16)  # an unmasked 32-character secret is a valid token
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={csrf}", csrf


def logged_in_people(count: int) -> list[tuple[str, str]]:
    """(Cookie header, CSRF token) for `count` new people, each logged in with a session of their own."""
    from tests.factories import UserFactory

    return [logged_in(UserFactory()) for _ in range(count)]


def enrol_requests(course_date, people) -> list[tuple[str, dict, bytes]]:
    path = f"/dates/{course_date.pk}/enrol/"
    requests = []
    for cookie, csrf in people:
        body = urllib.parse.urlencode({"billing_type": "self", "accept_terms": "on", "csrfmiddlewaretoken": csrf})
        requests.append((path, {"Cookie": cookie, "Referer": f"http://127.0.0.1{path}",
                                "Content-Type": "application/x-www-form-urlencoded"}, body.encode()))
    return requests

"""Parts fail while people enrol, pay and graduate: the site keeps its promises.

    .venv/bin/python bench/chaos.py [--seconds 60] [--people 120] [--dates 6] [--graduates 30] [--seed 7]

On a PostgreSQL cluster and a Redis of its own (it restarts both), with an SMTP sink and the Stripe double, it runs
production's topology: two gunicorn app servers behind a small round-robin proxy (a load balancer that tries the
other server when one refuses), two `db_worker`s and the `scheduler`, each restarted when it dies, as systemd's
Restart=always would. The private files are one folder that both servers and the workers share, as a mounted
volume would be (bench/scale_out.py shows the same on an S3-compatible bucket).

While the load runs (people enrol on 10-seat dates and pay by Checkout, each webhook delivered by the double and
some delivered twice, or come back to the success page; a trainer records attendance of a finished date, so
certificates are issued and mailed; others read the course page and "Mijn opleidingen"), a seeded schedule
kill -9s an app server, a worker or the scheduler every few seconds, takes Redis away a few times and restarts
PostgreSQL once. Then it lets the system settle as production would (the processes back, the usual reconcile
with Stripe, the scheduler's requeue of tasks whose worker died and its retries) and checks:

- over_cap: places seated beyond a date's capacity;
- lost_payments: Checkouts Stripe calls paid whose payment or place is not paid and confirmed;
- double_applied: a place with two paid payments, a payment with two invoices, a place confirmed or a payment
  recorded paid twice (the audit log), or the same mail sent by two tasks (two Message-IDs);
- missing_certificates: graduates (every day ticked by the trainer) without their certificate's PDF;
- lost_mails: a confirmation, invoice or certificate mail that never reached the SMTP sink; duplicate_mails: one
  Message-ID received more than once (a kill between sending and recording repeats a mail; at least once);
- stuck_tasks: one-off tasks still queued, running, or failed without a retry after the settling;
- errors_5xx_outside_outages: 5xx answers outside a Redis or PostgreSQL outage (a connection reset by a killed
  server is counted apart, as resets); errors_5xx_redis_away (pages render uncached then: it should be 0) and
  errors_5xx_pg_restart (the styled 503 while the database is away) beside it; recovery_s: the longest a probe
  of a signed-in page (it reads the database) kept failing after a part came back.

Last line: `chaos kills=… redis_outages=… pg_restarts=1 over_cap=0 lost_payments=0 double_applied=0
missing_certificates=0 lost_mails=0 duplicate_mails=… stuck_tasks=0 errors_5xx_outside_outages=0 recovery_s=…`.
"""

import argparse
import asyncio
import base64
import contextlib
import email
import http.client
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from email.header import decode_header, make_header
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, logged_in  # noqa: E402

WEBHOOK_SECRET = "whsec_" + secrets.token_hex(16)
OUTAGE_GRACE_S = 3.0  # after Redis or PostgreSQL is back, connections are made afresh
MAIL_TASKS_DONE = ("courses.notifications", "payments.invoices", "learning.notifications",
                   "certification.notifications")


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Postgres:
    """A throwaway cluster this bench may stop and start (the test suite's server is not to be restarted)."""

    def __init__(self):
        self.bindir = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="chaos-pg-"))
        shutil.chown(self.dir, "postgres") if os.geteuid() == 0 else None
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        subprocess.run(as_postgres([str(self.bindir / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres",
                                    "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, stdout=subprocess.DEVNULL)
        self.start()

    def start(self):
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        subprocess.run(as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
                                    str(self.dir / "log"), "-w", "-o", options, "start"]),
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        """As a crash would: no checkpoint, every connection cut (the restart recovers from the WAL)."""
        subprocess.run(as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                                    "stop"]), check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def load_from(self, source_url: str | None, env: dict):
        """The schema: copied from an already migrated database when one is given (the test suite's copy), else
        migrated here."""
        if source_url and migrated(source_url):
            dump = subprocess.run([str(self.bindir / "pg_dump"), "-Fc", "--no-owner", source_url],
                                  check=True, capture_output=True).stdout
            subprocess.run([str(self.bindir / "pg_restore"), "--no-owner", "-d", self.url], input=dump, check=True)
        else:
            subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT,
                           env={**os.environ, **env}, check=True)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def migrated(url: str) -> bool:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SELECT to_regclass('django_migrations') IS NOT NULL").fetchone()[0]


class Service:
    """A process of the site (an app server, a worker, the scheduler) or Redis, in a process group of its own so
    that kill -9 takes its children too; `wanted` says whether the supervisor restarts it when it dies."""

    def __init__(self, name: str, command: list[str], env: dict, logs: Path):
        self.name, self.command, self.env, self.logs = name, command, env, logs
        self.process, self.wanted, self.restarts = None, True, 0
        self.lock = threading.Lock()

    def start(self):
        with self.lock:
            log = (self.logs / f"{self.name}.log").open("ab")
            self.process = subprocess.Popen(self.command, cwd=self.env.get("HOME", ROOT), env=self.env,
                                            stdout=log, stderr=log, start_new_session=True)
            log.close()

    def kill(self):
        with self.lock:
            if self.process and self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def dead(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def stop(self):
        self.wanted = False
        with self.lock:
            if self.process and self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()


def supervise(services: list[Service], stop: threading.Event, restart_after: float = 0.5):
    """systemd's Restart=always, RestartSec=0.5."""
    while not stop.wait(0.1):
        for service in services:
            if service.wanted and service.dead():
                time.sleep(restart_after)
                if service.wanted and service.dead():
                    service.restarts += 1
                    service.start()


def wait_until_listening(port: int):
    for _ in range(200):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)


class Proxy:
    """A TCP load balancer on loopback: each connection goes to the next app server in turn, or to the other when
    one refuses (it is down or starting). A server killed mid-request resets its connections."""

    def __init__(self, backends: list[int]):
        self.backends, self.turn, self.port = backends, 0, free_port()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port,
                                                                        backlog=512))
        ready.set()
        self.loop.run_forever()

    async def _handle(self, client_reader, client_writer):
        for _ in self.backends:
            port = self.backends[self.turn % len(self.backends)]
            self.turn += 1
            try:
                server_reader, server_writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
                break
            except (OSError, TimeoutError):
                continue
        else:
            client_writer.close()
            return
        await asyncio.gather(self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer))

    @staticmethod
    async def _pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, RuntimeError):
            pass
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()


class Log:
    """Every request the people and the probe made: (started, ended, status); 599 is a connection reset."""

    def __init__(self):
        self.requests, self.probes, self.lock = [], [], threading.Lock()

    def add(self, started: float, status: int, *, probe: bool = False):
        with self.lock:
            (self.probes if probe else self.requests).append((started, time.monotonic(), status))


def request(port: int, method: str, path: str, *, cookie: str = "", body: dict | None = None, csrf: str = "",
            log: Log, probe: bool = False) -> tuple[int, str]:
    """One request through the proxy; returns (status, Location). A dropped connection is status 599."""
    started = time.monotonic()
    headers = {"Connection": "close", "Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie
    data = None
    if body is not None:
        data = urllib.parse.urlencode({**body, "csrfmiddlewaretoken": csrf})
        headers.update({"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1{path}"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        response.read()
        status, location = response.status, response.getheader("Location", "")
    except (OSError, http.client.HTTPException):
        status, location = 599, ""
    finally:
        connection.close()
    log.add(started, status, probe=probe)
    return status, location


def schedule(seed: int, seconds: float, targets: list[str]) -> list[tuple[float, str, str]]:
    """The seeded plan: (second, what, target). A kill every few seconds (each process at least once), Redis
    away for 3 s about every half minute (at least once), PostgreSQL restarted once, a little after the middle."""
    rng = random.Random(seed)
    kills = max(len(targets), int(seconds / 4))
    victims = [targets[i % len(targets)] for i in range(kills)]  # each at least once, in a seeded order
    rng.shuffle(victims)
    plan = [(rng.uniform(1, seconds - 1), "kill", victim) for victim in victims]
    restart = seconds * rng.uniform(0.55, 0.7)
    outages = max(1, int(seconds / 30))
    for i in range(outages):  # never while PostgreSQL restarts: each outage's errors are counted as its own
        at = (i + 0.3 + rng.uniform(0, 0.3)) * seconds / outages
        if abs(at - restart) < 8:
            at = max(1.0, restart - 9) if restart > 10 else restart + 9
        plan.append((at, "redis", "redis"))
    plan.append((restart, "postgres", "postgres"))
    return sorted(plan)


def main():  # noqa: PLR0915 (one scenario, told in order)
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--people", type=int, default=120)
    parser.add_argument("--dates", type=int, default=6)
    parser.add_argument("--graduates", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--settle", type=float, default=120, help="At most this long for the system to settle.")
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        sys.exit("This benchmark needs Debian's redis-server")

    from payments.stripe_double import StripeDoubleServer
    from tests.mail_server import MailServer

    source = os.environ.get("DATABASE_URL") if os.environ.get("DATABASE_URL", "").startswith("postgres") else None
    work = Path(tempfile.mkdtemp(prefix="chaos-"))
    postgres = Postgres()
    mail = MailServer()
    threading.Thread(target=mail.serve_forever, daemon=True).start()
    stop = threading.Event()
    services: list[Service] = []
    try:
        with StripeDoubleServer(webhook_secret=WEBHOOK_SECRET) as stripe_double:
            redis_port = free_port()
            env = {
                **os.environ, "DJANGO_SETTINGS_MODULE": "bench.chaos_settings", "DATABASE_URL": postgres.url,
                "STATIC_ROOT": str(work / "static"), "PRIVATE_MEDIA_ROOT": str(work / "private"),
                "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
                "EMAIL_URL": f"smtp://127.0.0.1:{mail.server_address[1]}",
                "DEFAULT_FROM_EMAIL": "Spoor 2 Academy <noreply@spoor2academy.nl>",
                "STRIPE_SECRET_KEY": "sk_test_chaos", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "STRIPE_API_BASE": stripe_double.url,
                "CERTIFICATE_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(), "LOG_LEVEL": "ERROR",
                "CONN_MAX_AGE": "60",
            }
            env.pop("PYTEST_XDIST_WORKER", None)
            os.environ.update(env)
            started = time.monotonic()
            redis = Service("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], env, work)
            redis.port = redis_port
            redis.start()
            wait_until_listening(redis_port)
            postgres.load_from(source, env)
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT,
                           env=env, check=True)
            import django

            django.setup()
            scenario = Scenario.make(args, stripe_double)
            print(f"setup: {time.monotonic() - started:.0f} s; {len(scenario.people)} people, {args.dates} dates "
                  f"of 10 seats, {len(scenario.graduates)} graduates; logs in {work}")

            app_ports = [free_port(), free_port()]
            for name, port in zip(("app-a", "app-b"), app_ports, strict=True):
                folder = work / name
                folder.mkdir()
                services.append(Service(name, [sys.executable, "-m", "gunicorn", "lms.wsgi", "--workers", "2",
                                               "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
                                               "--log-level", "warning"],
                                        {**env, "HOME": str(folder), "TMPDIR": str(folder)}, work))
            for name in ("worker-1", "worker-2"):
                services.append(Service(name, [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval",
                                               "0.2", "--no-startup-delay"], env, work))
            services.append(Service("scheduler", [sys.executable, str(ROOT / "manage.py"), "scheduler",
                                                  "--interval", "1"], env, work))
            for service in services:
                service.start()
            proxy = Proxy(app_ports)
            stripe_double.double.webhook_url = f"http://127.0.0.1:{proxy.port}/payments/stripe/webhook/"
            threading.Thread(target=supervise, args=(services, stop), daemon=True).start()
            log = Log()
            while request(proxy.port, "GET", scenario.course_path, log=Log())[0] != 200:
                time.sleep(0.2)

            faults = run_load(args, scenario, proxy.port, log, services, redis, postgres, stripe_double)
            print(f"load: {len(log.requests)} requests in {args.seconds:.0f} s while {faults.summary()}")
            settle(args, scenario, env, stripe_double)
            figures = check(scenario, mail, stripe_double, log, faults)
    finally:
        stop.set()
        for service in services:
            service.stop()
        with contextlib.suppress(NameError):
            redis.stop()
        mail.shutdown()
        postgres.close()
    print("chaos " + " ".join(f"{name}={value}" for name, value in figures.items()))


class Scenario:
    """What the people do, made in the database before the servers start."""

    @classmethod
    def make(cls, args, stripe_double):
        from django.urls import reverse
        from django.utils import timezone

        from courses.models import Enrolment
        from operations.health import heartbeat
        from tests.factories import (
            UserFactory,
            _two_days_ago_and_yesterday,
            catalogue_site,
            confirmed_place,
            make_course,
            make_date,
            make_trainer,
        )

        scenario = cls()
        for process in ("scheduler", "worker"):
            heartbeat(process)
        catalogue = catalogue_site().catalogue
        course = make_course(catalogue, slug="basistraining")
        scenario.course_path = course.url
        scenario.dates = [make_date(course, capacity=10, starts_in=timezone.timedelta(days=30 + i))
                          for i in range(args.dates)]
        scenario.people = []
        for _ in range(args.people):
            person = UserFactory()
            cookie, csrf = logged_in(person)
            scenario.people.append((person.email, cookie, csrf))
        graduation = make_course(catalogue, title="Secure Base coach", slug="secure-base",
                                 completion_attendance_percent=100, completion_requires_evaluation=False)
        trainer = make_trainer(email="trainer@example.org")
        scenario.graduates = []  # (attendance form, place, meeting days), on finished dates of at most 10
        for first in range(0, args.graduates, 10):
            finished = make_date(graduation, capacity=10)
            places = [confirmed_place(finished, UserFactory()).pk for _ in range(min(10, args.graduates - first))]
            days = [day.pk for day in _two_days_ago_and_yesterday(finished)]  # over: attendance may be recorded
            finished.trainers.add(trainer)
            form = reverse("learning_trainer:attendance", args=[finished.pk])
            scenario.graduates += [(form, place, days) for place in places]
        scenario.trainer = logged_in(trainer)
        scenario.paid_sessions, scenario.threads = [], []
        assert not Enrolment.objects.filter(completed_at__isnull=False).exists()
        return scenario


class Faults:
    def __init__(self):
        self.kills, self.redis_outages, self.pg_restarts = Counter(), 0, 0
        self.outages, self.back = [], []  # (what, from, until) windows; the moments a part came back

    def summary(self) -> str:
        return (f"{sum(self.kills.values())} kills ({', '.join(f'{k} {v}' for k, v in sorted(self.kills.items()))}),"
                f" {self.redis_outages} Redis outages and {self.pg_restarts} PostgreSQL restart")

    def during_outage(self, started: float, ended: float, of: str | None = None) -> bool:
        return any(started <= until + OUTAGE_GRACE_S and ended >= since for what, since, until in self.outages
                   if of in (None, what))


def run_load(args, scenario, port, log, services, redis, postgres, stripe_double) -> Faults:
    faults, rng = Faults(), random.Random(args.seed)
    by_name = {service.name: service for service in services}
    plan = schedule(args.seed, args.seconds, list(by_name))
    people = list(scenario.people)
    rng.shuffle(people)
    lock, done = threading.Lock(), threading.Event()
    begin = time.monotonic()

    def chaos():
        for at, what, target in plan:
            time.sleep(max(0.0, begin + at - time.monotonic()))
            if what == "kill":
                by_name[target].kill()
                faults.kills[target] += 1
                faults.back.append(time.monotonic())  # the supervisor restarts it; the other server serves
            elif what == "redis":
                since = time.monotonic()
                redis.wanted = False
                redis.kill()
                time.sleep(3)
                redis.start()
                wait_until_listening(redis.port)
                redis.wanted = True
                faults.redis_outages += 1
                faults.outages.append(("redis", since, time.monotonic()))
                faults.back.append(time.monotonic())
            else:
                since = time.monotonic()
                postgres.stop()
                time.sleep(1)
                postgres.start()
                faults.pg_restarts += 1
                faults.outages.append(("postgres", since, time.monotonic()))
                faults.back.append(time.monotonic())

    def enrol(email_address, cookie, csrf):
        date = rng.choice(scenario.dates)
        status, location = request(port, "POST", f"/dates/{date.pk}/enrol/", cookie=cookie, csrf=csrf, log=log,
                                   body={"billing_type": "self", "accept_terms": "on"})
        if "/c/pay/" not in location:
            return  # full (on the waitlist), refused, or the request was lost: the person tries no further
        session_id = location.rsplit("/", 1)[-1]
        success = stripe_double.double.pay(session_id, "paid")
        with lock:
            scenario.paid_sessions.append(session_id)
        if rng.random() < 0.3:  # Stripe delivers some events twice
            event = next(e for e in reversed(stripe_double.double.events)
                         if e["data"]["object"]["id"] == session_id)
            thread = threading.Thread(target=stripe_double.double.deliver, args=(event,), daemon=True)
            thread.start()
            scenario.threads.append(thread)
        if rng.random() < 0.5:  # back from Checkout to the success page
            request(port, "GET", urllib.parse.urlsplit(success)._replace(scheme="", netloc="").geturl(),
                    cookie=cookie, log=log)

    def person():
        while not done.is_set():
            with lock:
                if not people:
                    break
                email_address, cookie, csrf = people.pop()
            enrol(email_address, cookie, csrf)
            request(port, "GET", scenario.course_path, log=log)
            request(port, "GET", "/my/courses/", cookie=cookie, log=log)
        while not done.is_set():  # everyone enrolled: keep reading pages until the time is up
            request(port, "GET", scenario.course_path, log=log)
            time.sleep(0.05)

    def trainer():
        """Ticks one more graduate's days at a time, every form sent whole (as the date's page sends it)."""
        cookie, csrf = scenario.trainer

        def ticked(form, graduates):
            return {f"present-{place}-{day}": "on" for each, place, days in graduates if each == form for day in days}

        pause = args.seconds / (len(scenario.graduates) + 2)
        for count, (form, *_) in enumerate(scenario.graduates, start=1):
            if done.wait(pause):
                break
            request(port, "POST", form, cookie=cookie, csrf=csrf, body=ticked(form, scenario.graduates[:count]),
                    log=log)
        for form in dict.fromkeys(form for form, *_ in scenario.graduates):  # after the chaos, what did not go in
            while request(port, "POST", form, cookie=cookie, csrf=csrf, body=ticked(form, scenario.graduates),
                          log=log)[0] != 302:
                time.sleep(0.5)

    def probe():
        """A signed-in page: it reads the database (an anonymous page may come from Redis's page cache)."""
        cookie = scenario.people[0][1]
        while not done.is_set():
            request(port, "GET", "/my/courses/", cookie=cookie, log=log, probe=True)
            time.sleep(0.1)

    chaos_thread = threading.Thread(target=chaos)
    chaos_thread.start()
    workers = [threading.Thread(target=person) for _ in range(args.concurrency)]
    trainer_thread, probe_thread = threading.Thread(target=trainer), threading.Thread(target=probe)
    for thread in [*workers, trainer_thread, probe_thread]:
        thread.start()
    chaos_thread.join()
    time.sleep(max(0.0, begin + args.seconds - time.monotonic()))
    done.set()
    for thread in [*workers, trainer_thread, probe_thread]:
        thread.join()
    return faults


def settle(args, scenario, env, stripe_double):
    """As production would after the night: webhook deliveries end (Stripe retries for days), the usual
    reconcile runs, the scheduler requeues what killed workers left running and retries what failed."""
    from django.db import close_old_connections

    from operations.schedule import periodic_task_paths

    for thread in scenario.threads:
        thread.join()
    close_old_connections()
    started = time.monotonic()
    reconciled = subprocess.run([sys.executable, "manage.py", "stripe_reconcile"], cwd=ROOT, env=env, check=True,
                                capture_output=True, text=True).stdout.strip()
    periodic = periodic_task_paths()
    while time.monotonic() < started + args.settle:
        close_old_connections()
        if not unsettled(periodic).exists() and not waiting_for_retry(periodic):
            break
        time.sleep(0.5)
    print(f"settle: {time.monotonic() - started:.0f} s (the reconcile with Stripe: {reconciled})")


def unsettled(periodic):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return (DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
            .exclude(task_path__in=periodic))


def waiting_for_retry(periodic) -> int:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from operations.models import TaskRetry

    return (DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exclude(task_path__in=periodic)
            .exclude(id__in=TaskRetry.objects.exclude(retry_result_id=None).values("failed_result_id")).count())


def expected_mails(applied, completed) -> list[tuple[str, str]]:
    """(address, subject) of each mail the facts call for: a paid place's confirmation and invoice, a completed
    place's congratulations (with the certificate's link)."""
    from django.utils.translation import gettext, override

    from payments.models import Invoice

    expected = []
    with override("nl"):
        for payment in applied.select_related("enrolment__user", "enrolment__course_date__course"):
            person, course = payment.enrolment.user, payment.enrolment.course_date.course
            invoice = Invoice.objects.get(payment=payment, kind=Invoice.Kind.INVOICE)
            expected += [(person.email, gettext("Your place is confirmed: %(course)s") % {"course": course.title}),
                         (person.email, gettext("Invoice %(number)s") % {"number": invoice.number})]
        for place in completed.select_related("user", "course_date__course"):
            expected.append((place.user.email, gettext("You have completed %(course)s")
                             % {"course": place.course_date.course.title}))
    return expected


def check(scenario, mail, stripe_double, log, faults) -> dict:
    from django.db.models import Count, Q
    from wagtail.models import ModelLogEntry

    from certification.models import Certificate
    from courses.models import Enrolment
    from operations.schedule import periodic_task_paths
    from payments.models import Invoice, Payment

    over_cap = 0
    for course_date in scenario.dates:
        seated = Enrolment.objects.filter(course_date=course_date, status__in=Enrolment.SEATED).count()
        over_cap += max(0, seated - course_date.capacity)

    paid_at_stripe = [session_id for session_id in scenario.paid_sessions
                      if stripe_double.double.sessions[session_id]["payment_status"] == "paid"]
    applied = Payment.objects.filter(checkout_session_id__in=paid_at_stripe, status=Payment.Status.PAID,
                                     enrolment__status=Enrolment.Status.CONFIRMED)
    lost_payments = len(paid_at_stripe) - applied.count()
    logged_twice = (ModelLogEntry.objects.filter(action__in=["enrolment.confirmed", "payment.paid"])
                    .values("content_type", "object_id", "action").annotate(n=Count("pk")).filter(n__gt=1).count())
    double_applied = (
        Enrolment.objects.annotate(paid=Count("payments", filter=Q(payments__status=Payment.Status.PAID)))
        .filter(paid__gt=1).count()
        + Invoice.objects.filter(payment__isnull=False, kind=Invoice.Kind.INVOICE).values("payment")
        .annotate(n=Count("pk")).filter(n__gt=1).count()  # (the database forbids it; counted all the same)
        + logged_twice  # a place confirmed, or a payment recorded paid, twice: a webhook applied twice
    )

    completed = Enrolment.objects.filter(completed_at__isnull=False)
    graduates = [place for _form, place, _days in scenario.graduates]
    certified = set(Certificate.objects.exclude(pdf="").values_list("enrolment_id", flat=True))
    missing_certificates = sum(1 for place in graduates if place not in certified)  # each graduate, not who completed

    received = [email.message_from_string(message) for message in mail.messages]
    by_id = Counter(message["Message-ID"] for message in received)
    duplicate_mails = sum(count - 1 for count in by_id.values())  # one mail sent again by a rerun (at least once)
    ids_per_mail = {}
    for message in received:
        ids_per_mail.setdefault((message["To"], message["Subject"]), set()).add(message["Message-ID"])
    double_applied += sum(len(ids) - 1 for ids in ids_per_mail.values())  # the same mail from two tasks
    arrived = {(message["To"], str(make_header(decode_header(message["Subject"])))) for message in received}
    lost_mails = sum(1 for mail_expected in expected_mails(applied, completed) if mail_expected not in arrived)

    periodic = periodic_task_paths()
    stuck_tasks = unsettled(periodic).count() + waiting_for_retry(periodic)

    errors_outside = sum(1 for started, ended, status in log.requests
                         if 500 <= status < 599 and not faults.during_outage(started, ended))
    errors_redis_away = sum(1 for started, ended, status in log.requests
                            if 500 <= status < 599 and faults.during_outage(started, ended, "redis"))
    errors_pg_restart = sum(1 for started, ended, status in log.requests
                            if 500 <= status < 599 and faults.during_outage(started, ended, "postgres"))
    resets = sum(1 for *_, status in log.requests if status == 599)
    recovery = 0.0
    for back in faults.back:
        answered = [ended for started, ended, status in log.probes if started >= back and status < 500]
        if answered:
            recovery = max(recovery, min(answered) - back)
    print(f"seats: {sum(c.capacity for c in scenario.dates)} on {len(scenario.dates)} dates, over_cap={over_cap}; "
          f"payments: {len(paid_at_stripe)} paid at Stripe, {applied.count()} applied; certificates: "
          f"{len(certified)} for {completed.count()} completed places of {len(graduates)} graduates; mails: "
          f"{len(received)} received, {len(by_id)} distinct; resets: {resets}")
    return {
        "kills": sum(faults.kills.values()), "redis_outages": faults.redis_outages, "pg_restarts": faults.pg_restarts,
        "over_cap": over_cap, "lost_payments": lost_payments, "double_applied": double_applied,
        "missing_certificates": missing_certificates, "lost_mails": lost_mails, "duplicate_mails": duplicate_mails,
        "stuck_tasks": stuck_tasks, "errors_5xx_outside_outages": errors_outside,
        "errors_5xx_redis_away": errors_redis_away, "errors_5xx_pg_restart": errors_pg_restart, "resets": resets,
        "recovery_s": f"{recovery:.1f}",
    }


if __name__ == "__main__":
    main()

"""Two app servers, two task workers and a scheduler on the engines production uses, shown to act as one site.

    .venv/bin/python bench/scale_out.py [SECONDS_OF_LOAD]

Starts a throwaway PostgreSQL (scripts/with-throwaway-postgres, unless DATABASE_URL points at one), Redis (the
cache and rate limits), moto's S3-compatible server (the private files) and the Stripe double, then two gunicorn
servers (2 workers each, production settings, each with a folder of its own and nothing on a shared local disk),
two `db_worker`s and one `scheduler`. Over HTTP, against both servers:

- 200 people enrol on one 10-seat date, round-robin over the two servers: 10 seats taken, no 5xx;
- a Checkout opened through server A is paid, its webhook delivered to server B and once more to A: confirmed once,
  one invoice;
- a certificate issued by a worker is downloaded through server B, and its bytes match the checksum kept;
- the course page's req/s from one server, and from both at once (on 2 cores this cannot double);
- the option of a Redis task queue (django-tasks-rq, TASKS_QUEUE_URL): a certificate enqueued to Redis is issued
  by an `rqworker`.

Last line: `scale_out servers=2 workers=2 seats_taken=… double_applied=… certificate_ok=… errors_5xx=… …
redis_queue_ok=…`.
"""

import base64
import contextlib
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):  # production's database, thrown away after
    os.execv(str(ROOT / "scripts" / "with-throwaway-postgres"),  # noqa: S606
             [str(ROOT / "scripts" / "with-throwaway-postgres"), sys.executable, *sys.argv])
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    enrol_requests,
    free_port,
    gunicorn,
    latency_figures,
    logged_in,
    logged_in_people,
    post_all,
    redis_server,
    wrk,
)

REGION = "eu-central-1"
WEBHOOK_SECRET = "whsec_" + secrets.token_hex(16)


@contextlib.contextmanager
def s3_server():
    """moto's standalone S3-compatible server on loopback, with a private bucket; yields the storage URL."""
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.05)
        import boto3

        endpoint = f"http://127.0.0.1:{port}"
        boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="bench",
                     aws_secret_access_key="bench").create_bucket(  # noqa: S106 (moto takes any key)
            Bucket="prive", CreateBucketConfiguration={"LocationConstraint": REGION})
        yield f"s3://prive/bestanden?endpoint_url={endpoint}&region_name={REGION}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def environment(cache_url: str, storage_url: str, stripe_url: str) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.scale_out_settings", "STATIC_ROOT": tempfile.mkdtemp(prefix="scale-out-"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "DATABASE_URL": os.environ["DATABASE_URL"],
        "CACHE_URL": cache_url, "PRIVATE_STORAGE_URL": storage_url,
        "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
        "EMAIL_URL": "smtp://127.0.0.1:1", "DEFAULT_FROM_EMAIL": "noreply@example.org",
        "STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_API_BASE": stripe_url,
        "CERTIFICATE_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "LOG_LEVEL": "ERROR",
    }


def own_folder(name: str, env: dict) -> dict:
    """A server's or worker's own folder: its static files and temporary files; nothing another one reads."""
    folder = tempfile.mkdtemp(prefix=f"scale-out-{name}-")
    return {**env, "STATIC_ROOT": f"{folder}/static", "TMPDIR": folder, "HOME": folder}


@contextlib.contextmanager
def background(name: str, command: list[str], env: dict):
    """A worker or the scheduler, in a folder of its own; stopped at the end."""
    env = own_folder(name, env)
    process = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *command], cwd=env["HOME"],
                               env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for(condition, seconds: float = 60, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(step)
    return None


def main(seconds: float) -> None:
    from payments.stripe_double import StripeDoubleServer

    with redis_server() as cache_url, s3_server() as storage_url, StripeDoubleServer(
            webhook_secret=WEBHOOK_SECRET) as stripe_double, contextlib.ExitStack() as stack:
        env = environment(cache_url, storage_url, stripe_double.url)
        os.environ.update(env)
        for command in (["migrate", "--no-input"],):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=os.environ, check=True,
                           stdout=subprocess.DEVNULL)
        import django

        django.setup()
        from operations.health import heartbeat
        from tests.factories import UserFactory, catalogue_site, make_course, make_date

        for process in ("scheduler", "worker"):
            heartbeat(process)
        course = make_course(catalogue_site().catalogue, slug="basistraining")
        race_date, checkout_date = make_date(course, capacity=10), make_date(course, capacity=2)

        servers = []
        for name in ("a", "b"):
            server_env = own_folder(f"server-{name}", env)
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input"], cwd=ROOT,
                           env={**os.environ, **server_env}, check=True, stdout=subprocess.DEVNULL)
            servers.append(stack.enter_context(gunicorn(workers=2, env=server_env, cwd=Path(server_env["HOME"]))))
        for name in ("worker-1", "worker-2"):
            stack.enter_context(background(name, ["db_worker", "--interval", "0.2"], env))
        stack.enter_context(background("scheduler", ["scheduler", "--interval", "5"], env))
        port_a, port_b = servers

        # 1. 200 enrolments on one 10-seat date, round-robin over the servers.
        people = logged_in_people(200)
        requests = enrol_requests(race_date, people)
        halves = [requests[0::2], requests[1::2]]
        results = []
        threads = [threading.Thread(target=lambda port, part: results.extend(post_all(port, part, 25)[0]),
                                    args=(port, part)) for port, part in zip(servers, halves, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        from courses.models import Enrolment

        seats_taken = Enrolment.objects.filter(course_date=race_date, status__in=Enrolment.SEATED).count()
        errors_5xx = sum(1 for status, _ in results if status >= 500)
        print(f"enrolments: {len(results)} over 2 servers, seats_taken={seats_taken}, errors_5xx={errors_5xx}, "
              f"{latency_figures(results)}")

        # 2. A Checkout opened through A, its webhook delivered to B, and again to A.
        from payments.models import Invoice, Payment, StripeEvent

        buyer = UserFactory()
        cookie, csrf = logged_in(buyer)
        status = post_all(port_a, enrol_requests(checkout_date, [(cookie, csrf)]), 1)[0][0][0]
        payment = Payment.objects.get(enrolment__user=buyer)
        stripe_double.double.webhook_url = f"http://127.0.0.1:{port_b}/payments/stripe/webhook/"
        stripe_double.double.pay(payment.checkout_session_id, "paid")
        paid = wait_for(lambda: Payment.objects.filter(pk=payment.pk, status=Payment.Status.PAID).exists())
        event = next(e for e in stripe_double.double.events if e["type"] == "checkout.session.completed"
                     and e["data"]["object"]["id"] == payment.checkout_session_id)
        stripe_double.double.webhook_url = f"http://127.0.0.1:{port_a}/payments/stripe/webhook/"
        repeat_status = stripe_double.double.deliver(event)
        wait_for(lambda: Invoice.objects.filter(payment=payment).exclude(pdf="").exists())
        place = Enrolment.objects.get(pk=payment.enrolment_id)
        double_applied = int(StripeEvent.objects.filter(event_id=event["id"]).count() != 1
                             or Invoice.objects.filter(payment=payment).count() != 1
                             or Payment.objects.filter(enrolment=place, status=Payment.Status.PAID).count() != 1)
        print(f"checkout: enrol via A answered {status}, paid={bool(paid)}, place {place.status}, webhook to B then "
              f"again to A (answered {repeat_status}): double_applied={double_applied}")

        # 3. A certificate issued by a worker, downloaded through the other server.
        from django.utils import timezone

        from certification.models import Certificate
        from certification.tasks import issue_certificate

        Enrolment.objects.filter(pk=place.pk).update(completed_at=timezone.now())
        issue_certificate.enqueue(enrolment_id=place.pk)
        certificate = wait_for(lambda: Certificate.objects.filter(enrolment=place).exclude(pdf="").first())
        certificate_ok = 0
        if certificate:
            request = urllib.request.Request(f"http://127.0.0.1:{port_b}/certificates/{certificate.number}.pdf",
                                             headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                content = response.read()
            certificate_ok = int(hashlib.sha256(content).hexdigest() == certificate.sha256
                                 and content.startswith(b"%PDF"))
        print(f"certificate: {certificate.number if certificate else 'not issued'} issued by a worker, downloaded "
              f"through B, checksum {'intact' if certificate_ok else 'WRONG'}")

        # 4. The option: the same work through the Redis task queue: an `rqworker` (django-tasks-rq) issues a
        # certificate enqueued by a process with TASKS_QUEUE_URL set, as production would be configured.
        rq_ok = certificate_through_redis_queue(env, cache_url, course)
        print(f"redis task queue: a certificate enqueued to Redis and issued by an rqworker: "
              f"{'yes' if rq_ok else 'NO'}")

        # 5. The course page from one server, then from both at once.
        path = course.url
        one = wrk(f"http://127.0.0.1:{port_a}{path}", seconds=seconds)
        both = [None, None]
        threads = [threading.Thread(target=lambda i, port: both.__setitem__(i, wrk(
            f"http://127.0.0.1:{port}{path}", seconds=seconds, connections=16)), args=(i, port))
            for i, port in enumerate(servers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        two = sum(result["req_s"] for result in both)
        errors_5xx += one["errors"] + sum(result["errors"] for result in both)
        print(f"course page: one server {one['req_s']:.0f} req/s, two servers {two:.0f} req/s")

        tasks_failed = _tasks_failed()
    print(f"scale_out servers=2 workers=2 seats_taken={seats_taken} double_applied={double_applied} "
          f"certificate_ok={certificate_ok} errors_5xx={errors_5xx} course_page_req_s_one={one['req_s']:.0f} "
          f"course_page_req_s_two={two:.0f} tasks_failed={tasks_failed} redis_queue_ok={int(rq_ok)}")


def certificate_through_redis_queue(env: dict, cache_url: str, course) -> bool:
    from django.utils import timezone

    from certification.models import Certificate
    from courses.models import Enrolment
    from tests.factories import UserFactory, confirmed_place, make_date

    place = confirmed_place(make_date(course, capacity=2), UserFactory())
    Enrolment.objects.filter(pk=place.pk).update(completed_at=timezone.now())
    queue_env = {**env, "TASKS_QUEUE_URL": cache_url.rsplit("/", 1)[0] + "/1"}  # its own Redis database
    with background("rq-worker", ["rqworker", "--job-class", "django_tasks_rq.Job", "default"], queue_env):
        subprocess.run([sys.executable, "manage.py", "shell", "-c",
                        "from certification.tasks import issue_certificate; "
                        f"issue_certificate.enqueue(enrolment_id={place.pk})"],
                       cwd=ROOT, env={**os.environ, **queue_env}, check=True, stdout=subprocess.DEVNULL)
        return bool(wait_for(lambda: Certificate.objects.filter(enrolment=place).exclude(pdf="").exists()))


def _tasks_failed() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="FAILED").count()


if __name__ == "__main__":
    if not shutil.which("wrk") or not shutil.which("redis-server"):
        sys.exit("This benchmark needs Debian's wrk and redis-server")
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 5)

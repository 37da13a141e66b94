"""A worker killed in the middle of a task (SIGKILL: no cleanup at all) leaves its task RUNNING; after the lease
it is queued again and another worker runs it: the email goes out exactly once. And work that follows a change
is queued in the change's own transaction, so a crash right after the commit cannot lose it."""

import email
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from courses import enrolments, seating
from courses.notifications import send_enrolment_confirmation
from operations.retries import failed_tasks_retry, stale_tasks_requeue
from operations.schedule import periodic_task_paths
from tests.factories import UserFactory, catalogue_site, make_course, make_date
from tests.mail_server import MailServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_server():
    server = MailServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker(mail_server, *, batch: bool) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.worker_settings", "WORKER_DATABASE_URL": database_url(),
           "WORKER_SMTP_PORT": str(mail_server.server_address[1]),
           "WORKER_STRIPE_API_BASE": django_settings.STRIPE_API_BASE}
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"]
    return subprocess.Popen([*command, *(["--batch"] if batch else [])], env=env, cwd=django_settings.BASE_DIR,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_task_whose_worker_was_killed_is_queued_again_after_its_lease_and_sent_exactly_once(settings,
                                                                                                mail_server):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    place = enrolments.enrolment_hold(course_date=make_date(make_course(catalogue_site().catalogue)),
                                    user=UserFactory(email="eva@example.org"), billing=seating.Billing())
    enrolments.enrolment_confirm(enrolment=place)  # queues the confirmation email
    task = DBTaskResult.objects.get(task_path=send_enrolment_confirmation.module_path)

    mail_server.stalled.set()
    first = worker(mail_server, batch=False)
    try:
        assert wait_for(lambda: mail_server.connections >= 1)  # the worker is inside the task, talking SMTP
        task.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    mail_server.stalled.clear()

    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING  # nobody will ever finish it on their own
    periodic = periodic_task_paths()
    assert stale_tasks_requeue(periodic=periodic, now=timezone.now()) == 0  # still within its lease
    later = timezone.now() + timedelta(minutes=settings.TASK_LEASE_MINUTES, seconds=1)
    assert stale_tasks_requeue(periodic=periodic, now=later) == 1

    second = worker(mail_server, batch=True)  # runs what is ready, then stops
    assert second.wait(timeout=120) == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    confirmation, invitation = mail_server.messages  # the confirmation, and its day's invitation: each once
    assert "eva@example.org" in confirmation and "text/calendar" not in confirmation
    assert "eva@example.org" in invitation and 'text/calendar; method="REQUEST"' in invitation
    assert stale_tasks_requeue(periodic=periodic, now=later) == 0  # done: not queued a third time


def test_a_mail_sent_again_by_a_rerun_or_a_retry_carries_its_first_runs_message_id(settings, mail_server):
    """At least once means a kill between sending and recording sends a mail again: the repeat carries the same
    Message-ID as the first, so it shows itself as one (and mail clients that drop duplicates drop it)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    course_date = make_date(make_course(catalogue_site().catalogue))
    for address in ("eva@example.org", "tom@example.org"):
        enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
            course_date=course_date, user=UserFactory(email=address), billing=seating.Billing()))
    eva_task, tom_task = DBTaskResult.objects.filter(
        task_path=send_enrolment_confirmation.module_path).order_by("enqueued_at")
    DBTaskResult.objects.filter(pk=tom_task.pk).update(run_after=timezone.now() + timedelta(days=1))  # later
    periodic = periodic_task_paths()

    def run_queue():
        assert worker(mail_server, batch=True).wait(timeout=120) == 0

    run_queue()  # Eva's confirmation and invitation
    DBTaskResult.objects.filter(pk=eva_task.pk).update(  # as if killed right after sending, before recording
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1))
    assert stale_tasks_requeue(periodic=periodic) == 1
    run_queue()  # the same run again
    DBTaskResult.objects.filter(pk=eva_task.pk).update(  # as if it failed after sending: retried as a new run
        status=TaskResultStatus.FAILED, finished_at=timezone.now() - timedelta(hours=1))
    assert failed_tasks_retry(periodic=periodic) == 1
    run_queue()
    DBTaskResult.objects.filter(pk=tom_task.pk).update(run_after=timezone.now())
    run_queue()  # Tom's

    ids = [email.message_from_string(message)["Message-ID"] for message in mail_server.messages]
    assert len(ids) == 8
    first_run, rerun, retry, tom = ids[0:2], ids[2:4], ids[4:6], ids[6:8]
    assert first_run == rerun == retry
    assert len(set(first_run)) == 2 and not set(tom) & set(first_run)
    assert all(message_id.startswith("<t") and message_id.endswith("@spoor2academy.nl>") for message_id in ids), ids


def test_follow_up_work_is_queued_inside_the_transaction_of_the_change(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    course_date = make_date(make_course(catalogue_site().catalogue))

    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():
        held = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
        enrolments.enrolment_confirm(enrolment=held)
        # Before the commit the task row is already written, in this transaction: it commits with the place.
        assert DBTaskResult.objects.filter(task_path=send_enrolment_confirmation.module_path).count() == 1
        raise Crash  # ...or is rolled back with it
    assert not DBTaskResult.objects.filter(task_path=send_enrolment_confirmation.module_path).exists()

    held = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    enrolments.enrolment_confirm(enrolment=held)
    assert DBTaskResult.objects.filter(task_path=send_enrolment_confirmation.module_path,
                                       status=TaskResultStatus.READY).count() == 1


def test_a_certificate_whose_worker_died_after_issuing_it_is_not_issued_twice(settings, mail_server, classroom):
    """The worst moment: the certificate was committed, the worker died before it marked the task done."""
    from certification.models import Certificate
    from certification.tasks import issue_certificate
    from courses.models import Enrolment

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    Enrolment.objects.filter(pk=classroom.place.pk).update(completed_at=timezone.now())  # every rule met
    issue_certificate.enqueue(enrolment_id=classroom.place.pk)
    first = worker(mail_server, batch=True)
    assert first.wait(timeout=120) == 0
    assert Certificate.objects.filter(enrolment=classroom.place).count() == 1
    task = DBTaskResult.objects.get(task_path=issue_certificate.module_path)
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.RUNNING,  # as if killed right then
                                                   started_at=timezone.now() - timedelta(hours=1))

    assert stale_tasks_requeue(periodic=periodic_task_paths()) == 1
    second = worker(mail_server, batch=True)
    assert second.wait(timeout=120) == 0
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.SUCCESSFUL
    assert Certificate.objects.filter(enrolment=classroom.place).count() == 1


def test_two_schedulers_and_two_workers_at_once_offer_a_freed_seat_once(settings, mail_server):
    """Scaled out: two schedulers tick at the same moment (a deploy overlapping the old one), so the periodic work is
    queued twice, and two worker processes started together drain the queue. The lapsed hold's seat is offered once,
    and the offer mailed once."""
    from django.core.management import call_command

    from courses.models import Enrolment
    from tests.threads import at_once

    course_date = make_date(make_course(catalogue_site().catalogue), capacity=1)
    enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing(),
                            now=timezone.now() - timedelta(hours=1))
    waiting = Enrolment.objects.create(course_date=course_date, user=UserFactory(email="wacht@example.org"),
                                       status="waitlisted", waitlist_position=1)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    at_once(2, lambda: call_command("scheduler", once=True))
    assert DBTaskResult.objects.filter(task_path="courses.tasks.process_waitlists").count() == 2
    workers = [worker(mail_server, batch=True) for _ in range(2)]  # each leaves once the queue is empty
    for process in workers:
        process.wait(timeout=120)

    assert list(DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL)
                .values_list("task_path", "status", "exception_class_path", "traceback")) == []
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.OFFERED
    assert Enrolment.objects.filter(course_date=course_date, status=Enrolment.Status.OFFERED).count() == 1
    offers = [message for message in mail_server.messages if "wacht@example.org" in message]
    assert len(offers) == 1

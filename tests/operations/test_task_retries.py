"""A one-off task that fails (here: the mail server is down) is enqueued again after a pause, by the scheduler's
retry task, and given up after the last attempt; periodic tasks are not retried."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from courses.notifications import send_enrolment_confirmation
from operations.models import TaskRetry
from operations.retries import failed_tasks_retry, retry_pauses
from operations.schedule import periodic_task_paths
from tests.factories import UserFactory, catalogue_site, confirmed_place, make_course, make_date

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)  # runs what is ready, then stops


@pytest.fixture
def mail_server_down(settings):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as in production
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    return settings


def test_a_confirmation_email_that_failed_is_sent_on_a_later_try(mail_server_down):
    confirmed_place(make_date(make_course(catalogue_site().catalogue)), UserFactory(email="eva@example.org"))
    run_worker()  # the confirmation is a task of its own
    failed = DBTaskResult.objects.get(task_path=send_enrolment_confirmation.module_path)
    assert failed.status == TaskResultStatus.FAILED and "ConnectionRefusedError" in failed.exception_class_path
    soon, later = failed.finished_at + timedelta(seconds=30), failed.finished_at + retry_pauses()[0]

    assert failed_tasks_retry(periodic=periodic_task_paths(), now=soon) == 0  # the pause is not over
    assert failed_tasks_retry(periodic=periodic_task_paths(), now=later) == 1
    assert failed_tasks_retry(periodic=periodic_task_paths(), now=later) == 0  # retried once, not twice
    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    run_worker()

    confirmation, invitation = mail.outbox
    assert confirmation.to == invitation.to == ["eva@example.org"] and "bevestigd" in confirmation.subject
    assert invitation.alternatives[-1][1] == "text/calendar; method=REQUEST"


def test_a_task_that_keeps_failing_is_given_up_after_the_last_retry(mail_server_down):
    confirmed_place(make_date(make_course(catalogue_site().catalogue)), UserFactory())
    now = timezone.now()
    for _ in retry_pauses():
        run_worker()
        now += retry_pauses()[-1]
        assert failed_tasks_retry(periodic=periodic_task_paths(), now=now) == 1
    run_worker()

    assert failed_tasks_retry(periodic=periodic_task_paths(), now=now + retry_pauses()[-1]) == 0
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == len(retry_pauses()) + 1
    assert TaskRetry.objects.filter(retry_result_id=None).get().attempt == len(retry_pauses()) + 1


def test_periodic_tasks_are_left_to_the_next_tick(mail_server_down):
    from courses.tasks import send_reminders

    send_reminders.enqueue()
    DBTaskResult.objects.update(status=TaskResultStatus.FAILED, finished_at=timezone.now() - timedelta(days=1))
    assert failed_tasks_retry(periodic=periodic_task_paths()) == 0

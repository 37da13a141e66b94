"""Holds end on time even when nobody visits: the scheduler enqueues, the database worker runs."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from courses import enrolments, seating
from courses.models import Enrolment
from tests.factories import UserFactory, catalogue_site, make_course, make_date

pytestmark = pytest.mark.django_db(transaction=True)


def test_scheduler_and_database_worker_release_a_lapsed_hold_and_offer_the_seat(settings):
    course = make_course(catalogue_site().catalogue)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    course_date = make_date(course, capacity=1)
    lapsed = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing(),
                                     now=an_hour_ago)
    waiting = Enrolment.objects.create(course_date=course_date, user=UserFactory(), status="waitlisted",
                                       waitlist_position=1)

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as in production
    call_command("scheduler", once=True)  # enqueues process_waitlists and announce_new_dates
    lapsed.refresh_from_db()
    assert lapsed.status == Enrolment.Status.HELD  # only enqueued so far
    while DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists():  # the worker drains the queue
        call_command("db_worker", max_tasks=1, no_startup_delay=True, interval=0.1, verbosity=0)

    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    lapsed.refresh_from_db()
    waiting.refresh_from_db()
    assert lapsed.status == Enrolment.Status.EXPIRED
    assert waiting.status == Enrolment.Status.OFFERED
    assert [m.to for m in mail.outbox] == [[waiting.user.email]]  # the offer email, a task of its own


"""Emails about learning, in the participant's language, sent by the worker after the commit."""

from django_tasks import task

from courses.models import Enrolment
from courses.notifications import email_about

from .models import AssignmentSubmission


@task()
def send_completed(*, enrolment_id: int) -> None:
    enrolment = Enrolment.objects.only("completed_at").get(pk=enrolment_id)
    if enrolment.completed_at:
        email_about(enrolment_id, "learning/email/completed", link="places:enrolment")


@task()
def send_submission_graded(*, submission_id: int) -> None:
    submission = AssignmentSubmission.objects.select_related("assignment").get(pk=submission_id)
    email_about(submission.enrolment_id, "learning/email/submission_graded", link="places:enrolment",
                submission=submission, approved=submission.status == AssignmentSubmission.Status.APPROVED)

"""Emails about places on a date, sent by tasks after the transaction commits, in the recipient's language
(through core.mail)."""

from django.conf import settings
from django_tasks import task

from accounts.models import User
from core.mail import Attachment, email_person

from .ics import course_date_ics
from .models import CourseDate, Enrolment, InterestEntry


def place_context(enrolment: Enrolment) -> dict:
    return {"enrolment": enrolment, "course": enrolment.course_date.course, "course_date": enrolment.course_date}


def email_about(enrolment_id: int, template: str, *, link: str, only_when: str | None = None, **context):
    """An email about one place with `link` (a URL name) back to it, unless its state moved on meanwhile."""
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if (only_when and enrolment.status != only_when) or enrolment.user_id is None:
        return
    email_person(enrolment.user, template, {**place_context(enrolment), **context},
                 links={"link": (link, [enrolment.pk])})


@task()
def send_waitlist_offer(*, enrolment_id: int) -> None:
    email_about(enrolment_id, "courses/email/waitlist_offer", link="payments:offer", only_when=Enrolment.Status.OFFERED)


@task()
def send_enrolment_confirmation(*, enrolment_id: int) -> None:
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if enrolment.status != Enrolment.Status.CONFIRMED or enrolment.user_id is None:
        return  # ended since, or an organisation's seat nobody has taken yet
    calendar = Attachment("opleiding.ics", course_date_ics(enrolment.course_date, include_online_link=True),
                          "text/calendar; charset=utf-8; method=PUBLISH")
    email_person(enrolment.user, "courses/email/enrolment_confirmed", place_context(enrolment),
                 links={"my_courses_url": ("courses:my_courses", [])}, attachments=(calendar,))


@task()
def send_date_announcement(*, course_date_id: int, user_id: int) -> None:
    course_date = CourseDate.objects.select_related("course").get(pk=course_date_id)
    user = User.objects.get(pk=user_id)
    if not InterestEntry.objects.filter(course_id=course_date.course_id, user=user).exists():
        return  # left the list, or enrolled, since the announcement was queued
    email_person(user, "courses/email/date_announced", {"course": course_date.course, "course_date": course_date,
                                                        "user": user},
                 links={"enrol_url": ("payments:enrol", [course_date.pk])})


@task()
def send_date_cancelled(*, enrolment_id: int, was_paid: bool) -> None:
    email_about(enrolment_id, "courses/email/date_cancelled", link="courses:enrolment", was_paid=was_paid,
                choice_days=settings.DATE_CANCELLED_CHOICE_DAYS)


@task()
def send_seat_withdrawn(*, enrolment_id: int) -> None:
    """To a participant whose organisation cancelled their seat, or whose seat the office released."""
    email_about(enrolment_id, "courses/email/seat_withdrawn", link="courses:enrolment",
                only_when=Enrolment.Status.CANCELLED)


@task()
def send_reminder(*, enrolment_id: int) -> None:
    email_about(enrolment_id, "courses/email/reminder", link="courses:enrolment", only_when=Enrolment.Status.CONFIRMED)

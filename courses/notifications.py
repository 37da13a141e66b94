"""Emails about places on a date, sent as tasks after the transaction commits, in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from accounts.models import User
from core.links import absolute_url

from .ics import course_date_ics
from .models import CourseDate, Enrolment, InterestEntry


def _send(enrolment: Enrolment, template: str, context: dict) -> None:
    with translation.override(enrolment.user.language):
        context = {"enrolment": enrolment, "course": enrolment.course_date.course,
                   "course_date": enrolment.course_date, **context}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, [enrolment.user.email])


def email_about(enrolment_id: int, template: str, *, link: str, only_when: str | None = None, **context):
    """An email about one enrolment with a link back to it, unless its state moved on meanwhile.
    `template` names the pair `<template>_subject.txt` and `<template>.txt`."""
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if only_when and enrolment.status != only_when:
        return
    with translation.override(enrolment.user.language):
        url = absolute_url(reverse(link, args=[enrolment.pk]))
    _send(enrolment, template, {"link": url, **context})


@task()
def send_waitlist_offer(*, enrolment_id: int) -> None:
    email_about(enrolment_id, "courses/email/waitlist_offer", link="payments:offer", only_when=Enrolment.Status.OFFERED)


@task()
def send_enrolment_confirmation(*, enrolment_id: int) -> None:
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if enrolment.status != Enrolment.Status.CONFIRMED:
        return
    with translation.override(enrolment.user.language):
        context = {"enrolment": enrolment, "course": enrolment.course_date.course,
                   "course_date": enrolment.course_date,
                   "my_courses_url": absolute_url(reverse("courses:my_courses"))}
        subject = render_to_string("courses/email/enrolment_confirmed_subject.txt", context).strip()
        body = render_to_string("courses/email/enrolment_confirmed.txt", context)
    message = EmailMessage(subject, body, None, [enrolment.user.email])
    message.attach("opleiding.ics", course_date_ics(enrolment.course_date, include_online_link=True),
                   "text/calendar; charset=utf-8; method=PUBLISH")
    message.send()


@task()
def send_date_announcement(*, course_date_id: int, user_id: int) -> None:
    course_date = CourseDate.objects.select_related("course").get(pk=course_date_id)
    user = User.objects.get(pk=user_id)
    if not InterestEntry.objects.filter(course_id=course_date.course_id, user=user).exists():
        return  # left the list, or enrolled, since the announcement was queued
    with translation.override(user.language):
        context = {"course": course_date.course, "course_date": course_date, "user": user,
                   "enrol_url": absolute_url(reverse("payments:enrol", args=[course_date.pk]))}
        subject = render_to_string("courses/email/date_announced_subject.txt", context).strip()
        body = render_to_string("courses/email/date_announced.txt", context)
    send_mail(subject, body, None, [user.email])


@task()
def send_date_cancelled(*, enrolment_id: int, was_paid: bool) -> None:
    email_about(enrolment_id, "courses/email/date_cancelled", link="courses:enrolment", was_paid=was_paid,
                 choice_days=settings.DATE_CANCELLED_CHOICE_DAYS)


@task()
def send_reminder(*, enrolment_id: int) -> None:
    email_about(enrolment_id, "courses/email/reminder", link="courses:enrolment", only_when=Enrolment.Status.CONFIRMED)

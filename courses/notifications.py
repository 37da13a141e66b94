"""Emails about places on a date, sent as tasks after the transaction commits, in the recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from .models import Enrolment


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _send(enrolment: Enrolment, template: str, context: dict) -> None:
    with translation.override(enrolment.user.language):
        context = {"enrolment": enrolment, "course": enrolment.course_date.course,
                   "course_date": enrolment.course_date, **context}
        subject = render_to_string(f"courses/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"courses/email/{template}.txt", context)
    send_mail(subject, body, None, [enrolment.user.email])


@task()
def send_waitlist_offer(*, enrolment_id: int) -> None:
    enrolment = Enrolment.objects.select_related("user", "course_date__course").get(pk=enrolment_id)
    if enrolment.status != Enrolment.Status.OFFERED:
        return
    with translation.override(enrolment.user.language):
        offer_url = _absolute(reverse("courses:offer", args=[enrolment.pk]))
    _send(enrolment, "waitlist_offer", {"offer_url": offer_url})

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from home.models import ProviderSettings

from .models import Certificate


@task()
def send_expiry_reminder(*, certificate_id: int) -> None:
    """Three months before expiry: the date, and where to recertify (the recertification course's or the
    course's own dates, or its interest list)."""
    certificate = Certificate.objects.select_related("user", "course__recertification_course").get(pk=certificate_id)
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    renewal = certificate.course.recertification_page if certificate.course else None
    context = {"certificate": certificate, "renewal": renewal, "course_url": base + (renewal.url if renewal else "/"),
               "certificates_url": base + "/my/certificates/"}
    with translation.override(certificate.user.language):
        subject = render_to_string("certification/email/expiry_subject.txt", context).strip()
        body = render_to_string("certification/email/expiry.txt", context)
    send_mail(subject, body, None, [certificate.user.email])


@task()
def send_completion_withdrawn(*, certificate_id: int) -> None:
    """To the office, in the site's language: a correction took back the completion a valid certificate was
    issued for. Whether it should be revoked is theirs to decide."""
    office = ProviderSettings.load().email
    certificate = Certificate.objects.select_related("enrolment").get(pk=certificate_id)
    if not office or certificate.status != Certificate.Status.VALID:
        return
    with translation.override(settings.LANGUAGE_CODE):
        link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
            "certification_trainer:date", args=[certificate.enrolment.course_date_id])
        context = {"certificate": certificate, "link": link}
        subject = render_to_string("certification/email/completion_withdrawn_subject.txt", context).strip()
        body = render_to_string("certification/email/completion_withdrawn.txt", context)
    send_mail(subject, body, None, [office])

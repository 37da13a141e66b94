"""Emails about certificates, sent by tasks after the transaction commits (through core.mail)."""

from django_tasks import task

from accounts.reminders import reminder_email
from core.links import absolute_url
from core.mail import email_office, email_person

from .models import Certificate


@task()
def send_expiry_reminder(*, certificate_id: int) -> None:
    """Three months before expiry: the date, and where to recertify (the recertification course's or the
    course's own dates, or its interest list)."""
    certificate = Certificate.objects.select_related("user", "course__recertification_course").get(pk=certificate_id)
    renewal = certificate.course.recertification_page if certificate.course else None
    if certificate.user is None:  # erased meanwhile
        return
    reminder_email(certificate.user, "certification/email/expiry",
                 {"certificate": certificate, "renewal": renewal,
                  "course_url": absolute_url(renewal.url if renewal else "/")},
                 links={"certificates_url": ("certification:mine", [])})


@task()
def send_completion_withdrawn(*, certificate_id: int) -> None:
    """To the office, in the site's language: a correction took back the completion a valid certificate was
    issued for. Whether it should be revoked is theirs to decide."""
    certificate = Certificate.objects.select_related("enrolment").get(pk=certificate_id)
    if certificate.status == Certificate.Status.VALID:
        email_office("certification/email/completion_withdrawn", {"certificate": certificate},
                     admin_link=("certification_trainer:date", certificate.enrolment.course_date_id))


@task()
def send_revoked(*, certificate_id: int) -> None:
    """To the holder: which certificate, since when, why, and what that means for its PDF and badge."""
    certificate = Certificate.objects.select_related("user").get(pk=certificate_id)
    if certificate.user is not None and certificate.status == Certificate.Status.REVOKED:
        email_person(certificate.user, "certification/email/revoked", {"certificate": certificate},
                     links={"certificates_url": ("certification:mine", [])})

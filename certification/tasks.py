from django_tasks import task

from courses.models import Enrolment

from .services import certificate_issue, expiry_reminders_send


@task()
def issue_certificate(*, enrolment_id: int) -> str | None:
    """Idempotent: a place that has its certificate keeps it; one that is no longer completed gets none."""

    certificate = certificate_issue(enrolment=Enrolment.objects.get(pk=enrolment_id))
    return certificate.number if certificate else None


@task()
def remind_before_expiry() -> int:

    return expiry_reminders_send()

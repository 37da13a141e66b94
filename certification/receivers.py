from django.dispatch import receiver

from core.tasks import enqueue_with_change
from learning.signals import completion_withdrawn, enrolment_completed

from .models import Certificate
from .notifications import send_completion_withdrawn
from .tasks import issue_certificate


@receiver(enrolment_completed)
def issue_when_completed(sender, *, enrolment, **kwargs):
    enqueue_with_change(issue_certificate, enrolment_id=enrolment.pk)


@receiver(completion_withdrawn)
def flag_when_completion_withdrawn(sender, *, enrolment, **kwargs):
    """A certificate is never revoked by a correction alone: the office hears of it and decides."""
    valid = enrolment.certificates.filter(status=Certificate.Status.VALID).values_list("pk", flat=True).first()
    if valid:
        enqueue_with_change(send_completion_withdrawn, certificate_id=valid)

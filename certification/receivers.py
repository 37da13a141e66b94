from django.db import transaction
from django.dispatch import receiver

from learning.signals import completion_withdrawn, enrolment_completed

from .models import Certificate
from .notifications import send_completion_withdrawn
from .tasks import issue_certificate


@receiver(enrolment_completed)
def issue_when_completed(sender, *, enrolment, **kwargs):
    enrolment_id = enrolment.pk
    transaction.on_commit(lambda: issue_certificate.enqueue(enrolment_id=enrolment_id))


@receiver(completion_withdrawn)
def flag_when_completion_withdrawn(sender, *, enrolment, **kwargs):
    """A certificate is never revoked by a correction alone: the office hears of it and decides."""
    valid = enrolment.certificates.filter(status=Certificate.Status.VALID).values_list("pk", flat=True).first()
    if valid:
        transaction.on_commit(lambda: send_completion_withdrawn.enqueue(certificate_id=valid))

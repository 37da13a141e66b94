from django.db import transaction
from django.dispatch import receiver

from learning.signals import enrolment_completed

from .tasks import issue_certificate


@receiver(enrolment_completed)
def issue_when_completed(sender, *, enrolment, **kwargs):
    enrolment_id = enrolment.pk
    transaction.on_commit(lambda: issue_certificate.enqueue(enrolment_id=enrolment_id))

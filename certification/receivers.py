from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core import page_cache
from core.tasks import enqueue_with_change
from learning.signals import completion_withdrawn, enrolment_completed

from .models import Certificate, CertificateDesign
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


@receiver(post_save, sender=Certificate)
@receiver(post_delete, sender=Certificate)
@receiver(post_save, sender=CertificateDesign)
def certificates_changed(**kwargs):
    """Verification pages say what a certificate's status is: revoked, replaced, withdrawn, erased."""
    page_cache.changed(page_cache.CERTIFICATES)

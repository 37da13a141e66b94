from django.dispatch import receiver

from courses.models import Enrolment
from courses.signals import attendance_recorded

from .services import completion_recompute


@receiver(attendance_recorded)
def recompute_after_attendance(sender, *, enrolment_ids, actor, now=None, **kwargs):
    for enrolment in Enrolment.objects.filter(pk__in=enrolment_ids).order_by("pk"):
        completion_recompute(enrolment=enrolment, actor=actor, now=now)

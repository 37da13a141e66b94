from django.dispatch import receiver

from courses.models import Enrolment
from courses.signals import attendance_recorded, place_transferred

from .models import AssignmentSubmission, ModuleProgress, QuizAttempt
from .services import completion_recompute


@receiver(attendance_recorded)
def recompute_after_attendance(sender, *, enrolment_ids, actor, now=None, **kwargs):
    for enrolment in Enrolment.objects.filter(pk__in=enrolment_ids).order_by("pk"):
        completion_recompute(enrolment=enrolment, actor=actor, now=now)


@receiver(place_transferred)
def coursework_follows_a_transfer(sender, *, old, new, **kwargs):
    """Modules done, quiz attempts and assignments belong to the person, not the day: they move with the place.
    Attendance and the evaluation are about the old date and stay there."""
    for model in (ModuleProgress, QuizAttempt, AssignmentSubmission):
        model.objects.filter(enrolment=old).update(enrolment=new)

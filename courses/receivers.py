"""Course pages show their upcoming dates: times, places, trainers and seats open. Any change to those renders the
anonymous course pages afresh (core.page_cache)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from core import page_cache

from .models import CourseDate, Enrolment, MeetingDay


@receiver(post_save, sender=CourseDate)
@receiver(post_delete, sender=CourseDate)
@receiver(post_save, sender=MeetingDay)
@receiver(post_delete, sender=MeetingDay)
@receiver(post_save, sender=Enrolment)
@receiver(post_delete, sender=Enrolment)
@receiver(m2m_changed, sender=CourseDate.trainers.through)
def dates_changed(**kwargs):
    page_cache.changed(page_cache.DATES)


@receiver(post_save, sender=get_user_model())
def trainer_name_may_have_changed(sender, update_fields=None, **kwargs):
    """A date names its trainers; a login (which only stamps last_login) changes no name."""
    if update_fields is None or not set(update_fields) <= {"last_login", "password"}:
        page_cache.changed(page_cache.DATES)


@receiver(post_delete, sender=get_user_model())
def trainer_may_have_left(**kwargs):
    """An erased trainer leaves the dates (their rows in the trainers table go without an m2m signal)."""
    page_cache.changed(page_cache.DATES)

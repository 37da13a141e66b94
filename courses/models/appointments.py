"""1:1 coaching: the times a date's trainers offer (slots), a participant's session in one of them (an
appointment), and the short note a trainer may keep about it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dates import CourseDate
from .enrolments import Enrolment


class CoachingSlot(models.Model):
    """A time a trainer of a date offers for an individual session with one of its participants."""

    course_date = models.ForeignKey(CourseDate, verbose_name=_("course date"), on_delete=models.CASCADE,
                                    related_name="coaching_slots")
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("trainer"), null=True,
                                on_delete=models.SET_NULL, related_name="coaching_slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    created_at = models.DateTimeField(_("published"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("coaching slot")
        verbose_name_plural = _("coaching slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
            models.CheckConstraint(condition=~Q(location="", video_url=""), name="slot_has_a_place_or_link"),
        ]

    def __str__(self):
        return f"{self.course_date} · {timezone.localtime(self.starts_at):%d-%m-%Y %H:%M}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Appointment(models.Model):
    """A participant's individual session: their place booked into a slot. Moving it keeps the appointment (and
    its calendar event) and changes its slot; cancelling ends it. A slot holds one booked appointment at most, and
    the database says so."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("place"), on_delete=models.CASCADE,
                                  related_name="appointments")
    slot = models.ForeignKey(CoachingSlot, verbose_name=_("time"), on_delete=models.PROTECT,
                             related_name="appointments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    booked_at = models.DateTimeField(_("booked"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Recorded by the trainer once the session's time has come: it took place (True) or not (False).
    took_place = models.BooleanField(_("took place"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Raised with every change, so that calendars replace the event they hold (courses.ics).
    calendar_sequence = models.PositiveIntegerField(default=0)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("coaching session")
        verbose_name_plural = _("coaching sessions")
        constraints = [
            models.UniqueConstraint(fields=["slot"], condition=Q(status="booked"), name="one_person_per_slot"),
        ]

    def __str__(self):
        return f"{self.enrolment.user} · {self.slot}"

    @property
    def is_booked(self) -> bool:
        return self.status == self.Status.BOOKED


class CoachingNote(models.Model):
    """What a trainer keeps about a session, about work. Its participant may be a spoor 2 client, so it can touch
    health: only its author reads it, and the office with a permission given to nobody by default
    (courses.appointments.may_read_notes); it is in the participant's data copy, kept no longer than
    RETENTION_COACHING_NOTES_MONTHS and erased with them."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="note")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"), max_length=2000)
    written_at = models.DateTimeField(_("written"))

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("coaching note")
        verbose_name_plural = _("coaching notes")
        default_permissions = ()
        permissions = [("read_coaching_notes", _("Can read the notes trainers keep about coaching sessions"))]

    def __str__(self):
        return f"{self.appointment} · note"

"""A course's dates: when and where it runs, for how many people, and with which trainers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from accounts.registers import Register

from .pages import MAX_SEATS_PER_DATE, CoursePage


class CourseDate(ClusterableModel):
    """One run of a course, on one or more meeting days, with at most MAX_SEATS_PER_DATE seats."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    class LocationKind(models.TextChoices):
        IN_PERSON = "in_person", _("On location")
        ONLINE = "online", _("Online")

    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.PROTECT, related_name="dates")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    capacity = models.PositiveSmallIntegerField(
        _("seats"), default=MAX_SEATS_PER_DATE,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SEATS_PER_DATE)],
    )
    location_kind = models.CharField(
        _("location"), max_length=10, choices=LocationKind.choices, default=LocationKind.IN_PERSON
    )
    location_name = models.CharField(_("venue"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    online_url = models.URLField(
        _("online meeting link"), blank=True, help_text=_("Shown only to confirmed participants.")
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("trainers"), blank=True, related_name="dates_as_trainer"
    )
    enrolment_deadline = models.DateTimeField(
        _("enrolment deadline"), null=True, blank=True, help_text=_("Empty: enrolment closes when the date starts.")
    )
    # Derived from the meeting days on save, so lists can sort and filter on them in the database.
    starts_at = models.DateTimeField(_("starts"), null=True, editable=False, db_index=True)
    ends_at = models.DateTimeField(_("ends"), null=True, editable=False)
    days_count = models.PositiveSmallIntegerField(_("meeting days"), default=0, editable=False)
    cancelled_at = models.DateTimeField(_("called off"), null=True, blank=True, editable=False)
    announced_at = models.DateTimeField(
        _("announced to the interest list"), null=True, blank=True, editable=False
    )
    # Raised each time the days or the place change, so that calendars replace the event they hold (courses.ics).
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course date")
        verbose_name_plural = _("course dates")
        ordering = ["starts_at", "pk"]
        permissions = [("schedule_dates", _("Can schedule and edit the dates of the courses on whose team they are"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=MAX_SEATS_PER_DATE),
                name="date_capacity_between_1_and_max",
            ),
        ]

    def __str__(self):
        when = timezone.localtime(self.starts_at).strftime("%d-%m-%Y") if self.starts_at else "?"
        return f"{self.course.title} · {when}"

    def clean(self):
        super().clean()
        if self.location_kind == self.LocationKind.ONLINE and not self.online_url:
            raise ValidationError({"online_url": _("An online date needs a meeting link.")})

    def save(self, *args, **kwargs):
        days = [day for day in self.meeting_days.all() if day.starts_at and day.ends_at]
        if days:
            self.starts_at = min(day.starts_at for day in days)
            self.ends_at = max(day.ends_at for day in days)
        self.days_count = len(days)
        super().save(*args, **kwargs)

    def has_started(self, now=None) -> bool:
        """From the first meeting day's start a place on the date is history: the participant can no longer
        cancel or move it."""
        return self.starts_at is not None and (now or timezone.now()) >= self.starts_at

    @property
    def is_online(self) -> bool:
        return self.location_kind == self.LocationKind.ONLINE

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def closes_at(self):
        """When enrolment (and any waitlist offer) ends."""
        return self.enrolment_deadline or self.starts_at


class MeetingDay(Orderable):
    course_date = ParentalKey(CourseDate, on_delete=models.CASCADE, related_name="meeting_days")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # Until when participants may check themselves in with the trainer's rotating code (learning.checkin).
    checkin_open_until = models.DateTimeField(_("self check-in open until"), null=True, blank=True, editable=False)

    class Meta(Orderable.Meta):
        verbose_name = _("meeting day")
        verbose_name_plural = _("meeting days")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="day_ends_after_start"),
        ]

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A day must end after it starts.")})


class PeOnlineEdition(Orderable):
    """Where a register accredits per edition: the id PE-online gave this date, sent with its attendance."""

    course_date = ParentalKey(CourseDate, on_delete=models.CASCADE, related_name="pe_online_editions")
    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    edition_id = models.CharField(_("PE-online edition id"), max_length=20)

    class Meta(Orderable.Meta):
        verbose_name = _("PE-online edition")
        verbose_name_plural = _("PE-online editions")
        constraints = [
            models.UniqueConstraint(fields=["course_date", "register"], name="one_edition_per_register"),
        ]

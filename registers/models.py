"""What was reported to the registers: each submission of a date's attendance to PE-online, and per person
what PE-online answered."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.registers import Register
from courses.models import CourseDate, Enrolment


class AttendanceSubmission(models.Model):
    """One sending of a date's attendance for one register to PE-online's webservice, and its answer."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for PE-online")
        SENDING = "sending", _("Being sent")
        ANSWERED = "answered", _("Answered")
        UNREADABLE = "unreadable", _("Answer unreadable")

    course_date = models.ForeignKey(CourseDate, verbose_name=_("date"), on_delete=models.PROTECT,
                                    related_name="attendance_submissions")
    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)  # when the last sending began
    problem = models.CharField(_("last problem"), max_length=300, blank=True,
                               help_text=_("Why the last attempt to reach PE-online failed, if it did."))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    accepted_rows = models.PositiveSmallIntegerField(_("accepted"), null=True, blank=True)
    rejected_rows = models.PositiveSmallIntegerField(_("rejected"), null=True, blank=True)
    request_xml = models.TextField(_("sent"), blank=True, help_text=_("As sent, without the user key."))
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("attendance submission")
        verbose_name_plural = _("attendance submissions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_register_display()} · {self.course_date}"

    @property
    def is_on_its_way(self) -> bool:
        """Queued or being sent: PE-online has not answered yet."""
        return self.status in (self.Status.QUEUED, self.Status.SENDING)


class ReportedAttendance(models.Model):
    """One participant in a submission: the register number as sent, and whether PE-online took it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Sent, no answer yet")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    submission = models.ForeignKey(AttendanceSubmission, on_delete=models.CASCADE, related_name="rows")
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("place"), on_delete=models.CASCADE,
                                  related_name="reported_attendance")
    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    number = models.CharField(_("register number"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    error_number = models.PositiveIntegerField(_("error number"), null=True, blank=True)
    error_message = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reported attendance")
        verbose_name_plural = _("reported attendance")
        ordering = ["pk"]
        constraints = [
            # A person's attendance of a date goes to a register once: while it is on its way, or taken.
            models.UniqueConstraint(
                fields=["enrolment", "register"], name="attendance_reported_once",
                condition=Q(status__in=["pending", "accepted"]),
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.get_status_display()}"

    @property
    def is_rejected(self) -> bool:
        return self.status == self.Status.REJECTED


class DeadlineReminder(models.Model):
    """The office was reminded that a date's attendance for a register is still to be submitted: once."""

    course_date = models.ForeignKey(CourseDate, on_delete=models.CASCADE, related_name="+")
    register = models.CharField(max_length=20, choices=Register.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course_date", "register"], name="one_deadline_reminder")]

    def __str__(self):
        return f"{self.get_register_display()} · {self.course_date}"

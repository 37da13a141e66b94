"""What coaches do with a course's content: modules done, quiz attempts, assignment submissions and the
course evaluation. Everything hangs off the enrolment, so a trainer's gradebook is per date."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from core.storage import private_storage
from courses.models import Enrolment, ModulePage
from courses.models.pages import RICH_TEXT_FEATURES, CourseTeamPage

from .access import module_access
from .blocks import QuestionsBlock
from .uploads import FileSubmissionForm, TextSubmissionForm, max_upload_bytes


class LearningPage(CourseTeamPage, Page):
    """A quiz or assignment inside a module: shown to the module's participants, locked like the module."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types = ["courses.ModulePage"]
    subpage_types = []

    class Meta:
        abstract = True

    def get_context(self, request, *args, form=None, **kwargs):
        """What it asks, and what this participant did with it. `form`: a handed-in form to show again."""
        context = super().get_context(request, *args, **kwargs)
        module = self.get_parent().specific
        course = module.get_parent().specific
        access = module_access(request, module, course)
        context.update(module=module, course=course, access=access)
        if access.takes_part:
            context.update(self.participant_context(access.enrolment, form=form))
        return context

    def participant_context(self, enrolment: Enrolment, *, form=None) -> dict:
        raise NotImplementedError


class QuizPage(LearningPage):
    questions = StreamField(QuestionsBlock(), verbose_name=_("questions"), blank=True)
    pass_mark_percent = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=70, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"), null=True, blank=True, default=3, validators=[MinValueValidator(1)],
        help_text=_("Empty: no limit."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Empty: no time limit."),
    )
    shuffle = models.BooleanField(_("shuffle questions and answers"), default=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("questions"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("pass_mark_percent"), FieldPanel("max_attempts")]),
             FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("shuffle")])],
            heading=_("Rules"),
        ),
    ]
    template = "learning/quiz_page.html"

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark_percent__gte=1, pass_mark_percent__lte=100),
                                   name="quiz_pass_mark_between_1_and_100"),
        ]


    def attempts_left(self, attempts: list["QuizAttempt"]) -> int | None:
        """None: no limit."""
        return None if self.max_attempts is None else max(self.max_attempts - len(attempts), 0)

    def participant_context(self, enrolment: Enrolment, *, form=None) -> dict:
        attempts = list(QuizAttempt.objects.filter(enrolment=enrolment, quiz=self).order_by("number"))
        return {
            "attempts": attempts,
            "attempts_left": self.attempts_left(attempts),
            "open_attempt": next((attempt for attempt in attempts if attempt.is_open), None),
            "passed": any(attempt.status == QuizAttempt.Status.PASSED for attempt in attempts),
        }


class AssignmentPage(LearningPage):
    class Kind(models.TextChoices):
        FILE = "file", _("Upload a document (PDF, DOCX or ODT)")
        TEXT = "text", _("Write the answer on the site")

    kind = models.CharField(_("handed in as"), max_length=10, choices=Kind.choices, default=Kind.FILE)
    deadline_days_after_end = models.SmallIntegerField(
        _("deadline (days after the last day)"), null=True, blank=True,
        validators=[MinValueValidator(-365), MaxValueValidator(365)],
        help_text=_("Relative to the participant's date: 14 is two weeks after the last day, -3 three days "
                    "before the first day's end. Empty: no deadline."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("kind"),
                      FieldPanel("deadline_days_after_end")]
    template = "learning/assignment_page.html"

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    @property
    def takes_a_file(self) -> bool:
        return self.kind == self.Kind.FILE

    @property
    def submission_form(self) -> type[TextSubmissionForm | FileSubmissionForm]:
        return FileSubmissionForm if self.takes_a_file else TextSubmissionForm

    def deadline_for(self, enrolment: Enrolment) -> datetime | None:
        """The end of the day `deadline_days_after_end` days after the participant's last day."""
        if self.deadline_days_after_end is None or enrolment.course_date.ends_at is None:
            return None
        last_day = timezone.localtime(enrolment.course_date.ends_at).replace(hour=23, minute=59, second=59,
                                                                             microsecond=0)
        return last_day + timedelta(days=self.deadline_days_after_end)

    def participant_context(self, enrolment: Enrolment, *, form=None) -> dict:
        submissions = list(AssignmentSubmission.objects.filter(enrolment=enrolment, assignment=self)
                           .order_by("-version"))
        may_submit = not submissions or submissions[0].status == AssignmentSubmission.Status.RESUBMIT
        deadline = self.deadline_for(enrolment)
        past_deadline = bool(deadline and timezone.now() > deadline and not submissions)
        return {
            "submissions": submissions, "deadline": deadline, "past_deadline": past_deadline,
            "form": form or (self.submission_form() if may_submit and not past_deadline else None),
            "max_upload_mb": max_upload_bytes() // (1024 * 1024),
        }


class ModuleProgress(models.Model):
    """A participant's visit to, and being done with, a module."""

    wagtail_reference_index_ignore = True

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="module_progress")
    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("module progress")
        constraints = [models.UniqueConstraint(fields=["enrolment", "module"], name="one_progress_per_module")]

    def __str__(self):
        return f"{self.enrolment_id} · {self.module_id} · {'done' if self.done_at else 'seen'}"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_REVIEW = "review", _("Waiting for the trainer")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Not passed")
    TIMED_OUT = "timed_out", _("Time ran out")


class QuizAttempt(models.Model):
    Status = AttemptStatus
    wagtail_reference_index_ignore = True

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="quiz_attempts")
    quiz = models.ForeignKey(QuizPage, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    status = models.CharField(_("status"), max_length=12, choices=AttemptStatus.choices,
                              default=AttemptStatus.IN_PROGRESS)
    questions = models.JSONField(editable=False)  # the quiz as it was asked: see learning.scoring
    answers = models.JSONField(default=dict, editable=False)
    reviewed_points = models.JSONField(default=dict, editable=False)  # open question key → points
    started_at = models.DateTimeField(_("started"))
    deadline_at = models.DateTimeField(_("time limit"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    points = models.PositiveSmallIntegerField(null=True, blank=True)
    max_points = models.PositiveSmallIntegerField(null=True, blank=True)
    score_percent = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["enrolment", "quiz", "number"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "quiz", "number"], name="attempt_numbers_unique"),
            models.UniqueConstraint(fields=["enrolment", "quiz"], condition=Q(status=AttemptStatus.IN_PROGRESS),
                                    name="one_attempt_in_progress"),
            models.CheckConstraint(condition=Q(score_percent__isnull=True) | Q(score_percent__lte=100),
                                   name="score_at_most_100"),
            models.CheckConstraint(
                condition=Q(status=AttemptStatus.IN_PROGRESS, submitted_at__isnull=True)
                | (~Q(status=AttemptStatus.IN_PROGRESS) & Q(submitted_at__isnull=False)),
                name="submitted_attempts_have_a_time",
            ),
        ]

    def __str__(self):
        return f"{self.enrolment.user} · {self.quiz.title} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    @property
    def is_passed(self) -> bool:
        return self.status == AttemptStatus.PASSED

    @property
    def is_failed(self) -> bool:
        return self.status == AttemptStatus.FAILED

    @property
    def awaits_review(self) -> bool:
        return self.status == AttemptStatus.AWAITING_REVIEW

    @property
    def is_timed_out(self) -> bool:
        return self.status == AttemptStatus.TIMED_OUT


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the trainer")
    APPROVED = "approved", _("Approved")
    RESUBMIT = "resubmit", _("Please hand in again")


def submission_path(submission, filename: str) -> str:
    return f"assignments/{submission.assignment_id}/{submission.enrolment_id}/{filename}"


class AssignmentSubmission(models.Model):
    Status = SubmissionStatus
    wagtail_reference_index_ignore = True

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="submissions")
    assignment = models.ForeignKey(AssignmentPage, on_delete=models.PROTECT, related_name="submissions")
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("answer"), blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to=submission_path, blank=True,
                            max_length=300)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_kind = models.CharField(max_length=5, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("handed in"))
    status = models.CharField(_("status"), max_length=10, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.SUBMITTED)
    feedback = models.TextField(_("feedback"), blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment submission")
        verbose_name_plural = _("assignment submissions")
        ordering = ["enrolment", "assignment", "version"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "assignment", "version"], name="submission_versions_unique"),
            # Only one version waits or counts; a new one is possible after "please hand in again".
            models.UniqueConstraint(
                fields=["enrolment", "assignment"],
                condition=Q(status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED]),
                name="one_live_submission",
            ),
            models.CheckConstraint(condition=~Q(text="") | ~Q(file=""), name="submission_has_content"),
        ]

    def __str__(self):
        return f"{self.enrolment.user} · {self.assignment.title} v{self.version}"

    @property
    def asks_resubmission(self) -> bool:
        return self.status == SubmissionStatus.RESUBMIT


RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Evaluation(models.Model):
    """The participant's written course evaluation; trainers see it without the name. Registers want it kept
    (NOBCO: at least two years); after that it is detached from the place (privacy.retention) and stays with
    the date only."""

    wagtail_reference_index_ignore = True
    RATINGS = ("content_rating", "trainer_rating", "organisation_rating", "usefulness_rating")

    enrolment = models.OneToOneField(Enrolment, on_delete=models.SET_NULL, related_name="evaluation", null=True)
    course_date = models.ForeignKey("courses.CourseDate", verbose_name=_("date"), on_delete=models.CASCADE,
                                    related_name="evaluations")
    content_rating = models.PositiveSmallIntegerField(_("Content of the course"), validators=RATING_VALIDATORS)
    trainer_rating = models.PositiveSmallIntegerField(_("The trainer"), validators=RATING_VALIDATORS)
    organisation_rating = models.PositiveSmallIntegerField(_("Organisation and location"),
                                                           validators=RATING_VALIDATORS)
    usefulness_rating = models.PositiveSmallIntegerField(_("Usefulness for your practice"),
                                                         validators=RATING_VALIDATORS)
    learned = models.TextField(_("What will you use in your practice?"), max_length=3000)
    improve = models.TextField(_("What could be better?"), max_length=3000, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("course evaluation")
        verbose_name_plural = _("course evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5}), name=f"evaluation_{name}_1_to_5",
            )
            for name in ("content_rating", "trainer_rating", "organisation_rating", "usefulness_rating")
        ]

    def __str__(self):
        return f"{self.course_date_id} · {self.submitted_at:%Y-%m-%d}"

"""A person's coursework: module progress, quiz attempts, hand-ins with their files, evaluations; for their data
export (privacy app)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core.privacy import PersonalData, RetentionRule, readable

from .models import AssignmentSubmission, Evaluation, ModuleProgress, QuizAttempt


def _submissions(user):
    return AssignmentSubmission.objects.filter(enrolment__user=user).select_related("assignment").order_by("pk")


def personal_data(user) -> dict[str, list[dict]]:
    attempts = QuizAttempt.objects.filter(enrolment__user=user).select_related("quiz").order_by("pk")
    return {
        _("Modules"): [{**readable(p, ["enrolment", "last_seen_at", "done_at"]), _("Module"): p.module.title}
                       for p in ModuleProgress.objects.filter(enrolment__user=user).select_related(
                           "module", "enrolment__course_date__course")],
        _("Quiz attempts"): [{_("Quiz"): a.quiz.title, **readable(a, ["number", "status", "started_at", "submitted_at",
                                                                     "score_percent"]), _("Answers"): a.answers}
                             for a in attempts],
        _("Assignments handed in"): [{_("Assignment"): s.assignment.title,
                                      **readable(s, ["version", "text", "file_name", "submitted_at", "status",
                                                     "feedback", "graded_at"])} for s in _submissions(user)],
        _("Evaluations"): [readable(e, ["enrolment", "content_rating", "trainer_rating", "organisation_rating",
                                        "usefulness_rating", "learned", "improve", "submitted_at"])
                           for e in Evaluation.objects.filter(enrolment__user=user).select_related(
                               "enrolment__course_date__course")],
    }


def personal_files(user) -> list:
    return [(f"{_('assignments')}/{s.pk}-{s.file_name}", s.file, s.sha256) for s in _submissions(user) if s.file]


def erase(user, *, needles: list[str], unique: list[str], now, **_options) -> None:
    """Hand-ins (with their files), quiz attempts and module progress go; evaluations stay, with the anonymous
    place (registers ask for them, NOBCO for two years)."""
    for submission in _submissions(user):
        if submission.file:
            submission.file.delete(save=False)
    AssignmentSubmission.objects.filter(enrolment__user=user).delete()
    QuizAttempt.objects.filter(enrolment__user=user).delete()
    ModuleProgress.objects.filter(enrolment__user=user).delete()


def records(user) -> list:
    return [(AssignmentSubmission, AssignmentSubmission.objects.filter(enrolment__user=user)),
            (QuizAttempt, QuizAttempt.objects.filter(enrolment__user=user))]


PART = PersonalData(app="learning", data=personal_data, files=personal_files, erase=erase, erase_order=10,
                    records=records)


def assignment_files_remove(*, now: datetime) -> int:
    """Files handed in, RETENTION_ASSIGNMENT_FILES_MONTHS after their date ended; the hand-in itself (its grade,
    feedback and file name) stays."""
    cutoff = now - timedelta(days=30 * settings.RETENTION_ASSIGNMENT_FILES_MONTHS)
    old = AssignmentSubmission.objects.filter(enrolment__course_date__ends_at__lt=cutoff).exclude(file="")
    removed = 0
    with translation.override(settings.LANGUAGE_CODE):
        note = _("[The file was deleted %(months)s months after the date, as our privacy statement says.]") % {
            "months": settings.RETENTION_ASSIGNMENT_FILES_MONTHS}
    for submission in old:
        submission.file.delete(save=False)
        submission.file = ""
        submission.text = f"{submission.text}\n\n{note}".strip()  # a hand-in always has text or a file
        submission.save(update_fields=["file", "text"])
        removed += 1
    return removed


def evaluations_detach(*, now: datetime) -> int:
    """Evaluations older than RETENTION_EVALUATION_YEARS lose their place (and so their person); they stay with
    the date, for its averages."""
    cutoff = now - timedelta(days=365 * settings.RETENTION_EVALUATION_YEARS)
    return Evaluation.objects.filter(submitted_at__lt=cutoff, enrolment__isnull=False).update(enrolment=None)


RETENTION = [RetentionRule("assignment_files", assignment_files_remove),
             RetentionRule("evaluations_detached", evaluations_detach)]

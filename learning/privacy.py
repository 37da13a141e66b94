"""A person's coursework: module progress, quiz attempts, hand-ins with their files, evaluations; for their data
export (privacy app)."""

from django.utils.translation import gettext as _

from core.privacy import readable

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


def erase(user, *, needles: list[str], unique: list[str], now) -> None:
    """Hand-ins (with their files), quiz attempts and module progress go; evaluations stay, with the anonymous
    place (registers ask for them, NOBCO for two years)."""
    for submission in _submissions(user):
        if submission.file:
            submission.file.delete(save=False)
    AssignmentSubmission.objects.filter(enrolment__user=user).delete()
    QuizAttempt.objects.filter(enrolment__user=user).delete()
    ModuleProgress.objects.filter(enrolment__user=user).delete()

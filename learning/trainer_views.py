"""The trainer's gradebook in the Wagtail admin: per date, grading of assignments and open answers,
the evaluations together, and an export. Trainers reach only their own dates (404 otherwise)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import ValidationError, clean_text, first_message
from core.spreadsheets import spreadsheet_response
from courses import seating
from courses.attendance import attendance_open
from courses.models import Enrolment
from courses.selectors import trainer_date

from . import selectors, services
from .models import AssignmentSubmission, QuizAttempt


def _page(request, template: str, title: str, **context):
    return TemplateResponse(request, f"learning/trainer/{template}.html",
                            {"page_title": title, "header_icon": "doc-full", **context})


def gradebook(request, pk: int):
    course_date = trainer_date(user=request.user, pk=pk)
    return _page(request, "gradebook", _("Gradebook: %(date)s") % {"date": course_date},
                 course_date=course_date, book=selectors.gradebook(course_date))


FEEDBACK_MAX = 5000


def submission_grade(request, pk: int, submission_pk: int):
    course_date = trainer_date(user=request.user, pk=pk)
    submission = get_object_or_404(
        AssignmentSubmission.objects.select_related("assignment", "enrolment__user"),
        pk=submission_pk, enrolment__course_date=course_date)
    if request.method == "POST":
        try:
            feedback = clean_text(request.POST.get("feedback", ""), max_length=FEEDBACK_MAX)
            services.submission_grade(submission=submission, approved=request.POST.get("decision") == "approve",
                                      feedback=feedback, actor=request.user)
        except ValidationError as error:
            messages.error(request, first_message(error))
        except services.LearningError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The grade has been saved and the participant informed."))
            return redirect("learning_trainer:gradebook", pk=course_date.pk)
    return _page(request, "submission", submission.assignment.title, course_date=course_date,
                 submission=submission, feedback=request.POST.get("feedback", submission.feedback))


def attempt_review(request, pk: int, attempt_pk: int):
    course_date = trainer_date(user=request.user, pk=pk)
    attempt = get_object_or_404(QuizAttempt.objects.select_related("quiz", "enrolment__user"),
                                pk=attempt_pk, enrolment__course_date=course_date)
    open_answers = [q for q in attempt.questions if q["kind"] == "open" and q["key"] in attempt.answers]
    if request.method == "POST":
        try:
            points = {q["key"]: int(request.POST.get(f"points-{q['key']}", "")) for q in open_answers}
            services.attempt_review(attempt=attempt, points=points, actor=request.user)
        except ValueError:
            messages.error(request, _("Give points for every open answer."))
        except services.LearningError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The points have been saved."))
            return redirect("learning_trainer:gradebook", pk=course_date.pk)
    answers = [{**q, "answer": attempt.answers[q["key"]], "given": attempt.reviewed_points.get(q["key"])}
               for q in open_answers]
    return _page(request, "attempt", attempt.quiz.title, course_date=course_date, attempt=attempt,
                 answers=answers)


def evaluations(request, pk: int):
    course_date = trainer_date(user=request.user, pk=pk)
    return _page(request, "evaluations", _("Evaluations: %(date)s") % {"date": course_date},
                 course_date=course_date, summary=selectors.evaluation_summary(course_date))


def _attempt_cell(attempt: QuizAttempt | None) -> str:
    if attempt is None:
        return ""
    score = f"{attempt.score_percent}% " if attempt.score_percent is not None else ""
    return f"{score}{attempt.get_status_display()}"


def gradebook_export(request, pk: int, fmt: str):
    course_date = trainer_date(user=request.user, pk=pk)
    book = selectors.gradebook(course_date)
    header = [_("Name"), _("Email"), _("Attendance"), *[quiz.title for quiz in book.items.quizzes],
              *[assignment.title for assignment in book.items.assignments], _("Evaluated"), _("Completed")]
    rows = [
        [row.enrolment.user.get_full_name(), row.enrolment.user.email, f"{row.present}/{book.days}",
         *[_attempt_cell(attempt) for attempt in row.quizzes],
         *[submission.get_status_display() if submission else "" for submission in row.assignments],
         row.evaluated, timezone.localdate(row.enrolment.completed_at) if row.enrolment.completed_at else None]
        for row in book.rows
    ]
    filename = f"cijferlijst-{slugify(course_date.course.title)}-{course_date.starts_at:%Y%m%d}"
    return spreadsheet_response(fmt, filename=filename, sheet="Cijferlijst", header=header, rows=rows)


@require_POST
def attendance(request, pk: int):
    """The attendance form of the date's page: ticks for days that have begun; a day still to come is refused
    by the service, with its message. Completion (and so the certificate) follows."""
    course_date = trainer_date(user=request.user, pk=pk)
    days = {day.pk: day for day in course_date.meeting_days.all()}
    confirmed = course_date.enrolments.filter(status=Enrolment.Status.CONFIRMED).values_list("pk", flat=True)
    now = timezone.now()
    present = {(place, day): f"present-{place}-{day}" in request.POST for place in confirmed for day in days}
    present = {pair: ticked for pair, ticked in present.items()
               if ticked or attendance_open(days[pair[1]].starts_at, now)}
    try:
        services.attendance_save(course_date=course_date, present=present, actor=request.user, now=now)
    except seating.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Attendance saved."))
    return redirect("courses_trainer:date", pk=course_date.pk)

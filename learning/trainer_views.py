"""The trainer's gradebook in the Wagtail admin: per date, grading of assignments and open answers,
the evaluations together, and an export. Trainers reach only their own dates (404 otherwise)."""

import io

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.formats import day_time as day_format
from core.forms import ValidationError, clean_text, first_message
from core.links import absolute_url
from core.spreadsheets import spreadsheet_response
from courses import seating
from courses.appointments import AppointmentError
from courses.attendance import attendance_open
from courses.models import Appointment, Attendance, Enrolment, MeetingDay
from courses.selectors import dates_for_trainer, trainer_date

from . import checkin, selectors, services
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
    # Only what the trainer changed on the page: a box left as it was drawn leaves the record alone, so a page
    # opened before people checked themselves in does not mark them absent when it is saved later.
    drawn = {(place, day): request.POST.get(f"shown-{place}-{day}") for place in confirmed for day in days}
    recorded = set(Attendance.objects.filter(meeting_day__in=days).values_list("enrolment_id", "meeting_day_id"))

    def changed(pair, ticked) -> bool:
        if drawn[pair] == ("1" if ticked else "0"):
            return False  # as it was drawn
        return ticked or drawn[pair] != "" or pair not in recorded  # an empty box never undoes a newer check-in

    present = {pair: ticked for pair, ticked in present.items()
               if (ticked or attendance_open(days[pair[1]].starts_at, now)) and changed(pair, ticked)}
    try:
        services.attendance_save(course_date=course_date, present=present, actor=request.user, now=now)
    except seating.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Attendance saved."))
    return redirect("courses_trainer:date", pk=course_date.pk)


@require_POST
def coaching_record(request, pk: int, session_pk: int):
    """From the coaching page: whether a session took place; completion follows where the course counts them."""
    course_date = trainer_date(user=request.user, pk=pk)
    session = get_object_or_404(Appointment, pk=session_pk, slot__course_date=course_date,
                                status=Appointment.Status.BOOKED)
    try:
        services.coaching_record(appointment=session, took_place=request.POST.get("took_place") == "1",
                                 actor=request.user)
    except AppointmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{reverse('courses_trainer:coaching', args=[course_date.pk])}#session-{session.pk}")


# Self check-in: the trainer's screen (learning.checkin)

def _trainer_day(request, pk: int) -> MeetingDay:
    """One of the trainer's own meeting days (every day for the office); 404 for any other."""
    return get_object_or_404(MeetingDay.objects.select_related("course_date__course")
                             .filter(course_date__in=dates_for_trainer(user=request.user)), pk=pk)


def checkin_screen(request, pk: int):
    """For a laptop or projector: the rotating QR code and its six digits, and who is in as it happens (a small
    script asks every few seconds; without it the page reloads itself). POST opens or closes check-in."""
    day = _trainer_day(request, pk)
    now = timezone.now()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                checkin.checkin_close(day=day, actor=request.user, now=now)
            else:
                checkin.checkin_open(day=day, actor=request.user, now=now)
        except checkin.CheckinError as error:
            messages.error(request, str(error))
        return redirect("learning_trainer:checkin", pk=day.pk)
    present, seated = checkin.present_on(day)
    is_open = checkin.is_open(day, now)
    return _page(request, "checkin", _("Check-in: %(course)s, %(day)s") % {
        "course": day.course_date.course.title, "day": day_format(day.starts_at)},
        day=day, is_open=is_open, shown=checkin.code_now(day, now) if is_open else None,
        present=present, seated=seated, today=timezone.localdate(day.starts_at) == timezone.localdate(now),
        window=checkin.WINDOW)


def _scan_url(day: MeetingDay, code: str) -> str:
    return absolute_url(reverse("learning:checkin_scan", args=[day.pk, code]))


def checkin_qr(request, pk: int):
    day = _trainer_day(request, pk)
    now = timezone.now()
    if not checkin.is_open(day, now):
        raise Http404
    image = io.BytesIO()
    segno.make_qr(_scan_url(day, checkin.code_now(day, now).code), error="m").save(
        image, kind="png", scale=10, border=2)
    response = HttpResponse(image.getvalue(), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


def checkin_state(request, pk: int):
    """What the screen shows, for its script: the code, how long it lasts, who is in."""
    day = _trainer_day(request, pk)
    now = timezone.now()
    present, seated = checkin.present_on(day)
    shown = checkin.code_now(day, now) if checkin.is_open(day, now) else None
    return JsonResponse({
        "open": shown is not None, "code": shown.code if shown else "", "seconds_left": shown.seconds_left if shown
        else 0, "present": [record.enrolment.user.get_full_name() for record in present], "seated": seated,
    }, headers={"Cache-Control": "no-store"})

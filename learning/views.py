"""The participant's side of learning: modules, quizzes, assignments and the evaluation. Every view
works on the person's own enrolment; anything else is a 404 that tells nothing."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core import ratelimit, routing, storage
from core.confirm import confirmed
from core.formats import day
from courses.models import Enrolment, MeetingDay, ModulePage
from courses.selectors import own_enrolment

from . import checkin as checkin_service
from . import scoring, selectors, services
from .access import module_access
from .forms import EvaluationForm
from .models import AssignmentPage, AssignmentSubmission, Evaluation, QuizAttempt, QuizPage
from .scoring import AnswerError, question_correct
from .uploads import SizeLimitedUploadHandler, max_upload_bytes


def _module_and_course(page):
    module = page.get_parent().specific
    return module, module.get_parent().specific


def _live_page(model, page_id: int):
    return get_object_or_404(model.objects.live().public(), pk=page_id)


def _participant_access(request, page):
    module, course = _module_and_course(page)
    access = module_access(request, module, course)
    if not access.takes_part:
        raise Http404
    return access


@login_required
@require_POST
def module_done(request, page_id: int):
    module = _live_page(ModulePage, page_id)
    access = module_access(request, module, module.get_parent().specific)
    if not access.takes_part:
        raise Http404
    done = request.POST.get("done") != "0"
    services.module_done(enrolment=access.enrolment, module=module, done=done)
    if done:
        messages.success(request, _("Marked as done."))
    return redirect(routing.page_url(request, module))


@login_required
@require_POST
def attempt_start(request, page_id: int):
    quiz = _live_page(QuizPage, page_id)
    access = _participant_access(request, quiz)
    try:
        attempt = services.attempt_start(enrolment=access.enrolment, quiz=quiz)
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect(routing.page_url(request, quiz))
    return redirect("learning:attempt", pk=attempt.pk)


def _own_attempt(request, pk: int) -> QuizAttempt:
    return get_object_or_404(QuizAttempt.objects.select_related("quiz", "enrolment__course_date__course"),
                             pk=pk, enrolment__user=request.user)


@login_required
def attempt(request, pk: int):
    attempt = _own_attempt(request, pk)
    error, confirming = None, False
    in_time = attempt.deadline_at is None or attempt.deadline_at > timezone.now()
    if request.method == "POST" and not confirmed(request) and attempt.is_open and in_time:
        # Handing in cannot be undone: first the same form again, answers kept, with what is still open.
        try:
            scoring.parse_answers(attempt.questions, request.POST)
        except AnswerError as problem:
            error = str(problem)
        confirming = error is None
    elif request.method == "POST":
        try:
            attempt = services.attempt_submit(attempt=attempt, data=request.POST)
        except AnswerError as problem:
            error = str(problem)
        except services.LearningError as problem:
            messages.error(request, str(problem))
            return redirect("learning:attempt", pk=attempt.pk)
        else:
            if attempt.status == QuizAttempt.Status.TIMED_OUT:
                messages.error(request, _("Time ran out before you handed in; this attempt counts as not passed."))
            return redirect("learning:attempt", pk=attempt.pk)
    elif attempt.is_open:
        attempt = services.attempt_close_if_timed_out(attempt, timezone.now())
    questions = [{**question, "is_open": question["kind"] == "open", "takes_several": question["kind"] == "multiple"}
                 for question in attempt.questions]  # named questions for the template
    if not attempt.is_open:
        questions = [_with_outcome(question, attempt) for question in questions]
    elif request.method == "POST":  # the answers given so far, shown again
        questions = [{**question, "given": request.POST.getlist(f"answer-{question['key']}")}
                     for question in questions]
    unanswered = sum(1 for question in questions if not any(value.strip() for value in question.get("given", [])))
    return render(request, "learning/attempt.html", {
        "attempt": attempt, "quiz": attempt.quiz, "questions": questions, "error": error,
        "answers": attempt.answers, "confirming": confirming, "unanswered": unanswered,
    }, status=400 if error else 200)


def _with_outcome(question: dict, attempt: QuizAttempt) -> dict:
    """The question with the coach's answer, whether it was right and the feedback: only after handing in."""
    answer = attempt.answers.get(question["key"])
    shown = {**question, "answer": answer}
    if question["kind"] == "open":
        shown["reviewed_points"] = attempt.reviewed_points.get(question["key"])
        if shown["reviewed_points"] is None:
            shown.pop("model_answer")
        return shown
    shown["correct"] = answer is not None and question_correct(question, answer)
    shown["choices"] = [{**choice, "chosen": index in (answer or [])}
                        for index, choice in enumerate(question["choices"])]
    return shown


@login_required
@csrf_exempt
def submission_create(request, page_id: int):
    """Upload handlers must be set before anything reads the body, hence CSRF is checked inside."""
    request.upload_handlers.insert(0, SizeLimitedUploadHandler(request))
    return _submission_create(request, page_id)


@csrf_protect
@require_POST
def _submission_create(request, page_id: int):
    assignment = _live_page(AssignmentPage, page_id)
    access = _participant_access(request, assignment)
    form = assignment.submission_form(request.POST, request.FILES)
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.add_error(None, _("The file is larger than %(max)s MB.") % {"max": max_upload_bytes() // 2**20})
    elif form.is_valid():
        try:
            services.submission_create(enrolment=access.enrolment, assignment=assignment,
                                       text=form.cleaned_data.get("text", ""), upload=form.cleaned_data.get("file"))
        except services.LearningError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Handed in. Your trainer will look at it."))
            return redirect(routing.page_url(request, assignment))
    return TemplateResponse(request, assignment.get_template(request), assignment.get_context(request, form=form),
                            status=400)


def may_see_submission(user, submission: AssignmentSubmission) -> bool:
    """The participant, the date's trainers, and the office."""
    return (submission.enrolment.user_id == user.pk or user.has_perm("courses.view_enrolment")
            or submission.enrolment.course_date.trainers.filter(pk=user.pk).exists())


@login_required
def submission_file(request, pk: int):
    submission = get_object_or_404(AssignmentSubmission.objects.select_related("enrolment__course_date",
                                                                                "enrolment__user"), pk=pk)
    if not submission.file or not may_see_submission(request.user, submission):
        raise Http404
    return storage.download(submission.file, filename=services.submission_download_name(submission),
                            content_type=services.submission_content_type(submission), sha256=submission.sha256)


@login_required
def evaluation(request, pk: int):
    enrolment = own_enrolment(user=request.user, pk=pk)
    if not selectors.evaluation_open(enrolment):
        if hasattr(enrolment, "evaluation"):
            messages.info(request, _("You have filled in the evaluation. Thank you!"))
            return redirect("places:enrolment", pk=enrolment.pk)
        if enrolment.status != Enrolment.Status.CONFIRMED or enrolment.course_date.starts_at is None:
            raise PermissionDenied
        messages.info(request, _("The course evaluation opens on %(day)s, the first day.")
                      % {"day": day(enrolment.course_date.starts_at)})
        return redirect("places:enrolment", pk=enrolment.pk)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_submit(enrolment=enrolment, answers=form.cleaned_data)
        except services.LearningError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Thank you for your evaluation."))
        return redirect("places:enrolment", pk=enrolment.pk)
    return render(request, "learning/evaluation.html", {"form": form, "enrolment": enrolment,
                                                         "course": enrolment.course_date.course,
                                                         "rating_fields": Evaluation.RATINGS},
                  status=400 if form.errors else 200)


# Self check-in on a meeting day (learning.checkin)

SCAN = "checkin_scan"
CHECKIN_TRIES = 20  # per person in ten minutes


def checkin_scan(request, day_id: int, code: str):
    """Where the QR code leads: the scan is remembered (day, code, when) and the person goes on to check in,
    logging in first if needed; the code is judged by when it was scanned."""
    request.session[SCAN] = {"day": day_id, "code": code[:12], "at": timezone.now().isoformat()}
    return redirect("learning:checkin")


@login_required
def checkin(request):
    """GET: the remembered scan's day, with the button that checks in (or why it cannot), and a field for the
    code as digits. POST: checks in with the scan, or with the typed code."""
    now = timezone.now()
    scan = request.session.get(SCAN)
    day, problem, done = None, "", None
    if request.method == "POST" and ratelimit.hits(f"checkin:{request.user.pk}", window_seconds=600) > CHECKIN_TRIES:
        problem = _("Too many tries. Ask the trainer to tick your name.")  # six digits are not guessed this way
    elif request.method == "POST" and request.POST.get("code"):
        try:
            day = checkin_service.day_of_typed_code(request.POST["code"], now)
            done = checkin_service.check_in(day=day, code=checkin_service.code_now(day, now).code, user=request.user,
                                            scanned_at=now, now=now)
        except checkin_service.CheckinError as error:
            problem = str(error)
    elif scan:
        day = MeetingDay.objects.select_related("course_date__course").filter(pk=scan["day"]).first()
        scanned_at = datetime.fromisoformat(scan["at"])
        if day is None:
            problem = _("This code belongs to no meeting day.")
        elif request.method == "POST":
            try:
                done = checkin_service.check_in(day=day, code=scan["code"], user=request.user, scanned_at=scanned_at,
                                                now=now)
            except checkin_service.CheckinError as error:
                problem = str(error)
        else:
            try:  # judged now, so the page says at once what would go wrong
                checkin_service.check_in_allowed(day=day, code=scan["code"], user=request.user,
                                                 scanned_at=scanned_at, now=now)
            except checkin_service.CheckinError as error:
                problem = str(error)
    if done or problem:
        request.session.pop(SCAN, None)
    return TemplateResponse(request, "learning/checkin.html", {
        "day": day, "problem": problem, "done": done, "scan": scan and not problem and not done,
    }, status=400 if problem and request.method == "POST" else 200)

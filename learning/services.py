"""Writes for learning: progress, quiz attempts, assignments, evaluations, and completion of a course.

Every write that can change whether a participant completed the course ends in `completion_recompute`,
inside the same transaction, so completion never silently diverges from its inputs.
"""

import hashlib
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.audit import record
from core.compiled import CompiledRead
from core.tasks import enqueue_with_change
from courses import appointments, attendance
from courses.models import Appointment, Enrolment, ModulePage

from . import scoring, selectors, signals
from .models import (
    AssignmentPage,
    AssignmentSubmission,
    Evaluation,
    ModuleProgress,
    QuizAttempt,
    QuizPage,
    submission_path,
)
from .notifications import send_completed, send_submission_graded
from .uploads import CONTENT_TYPES, UploadError, file_kind

# Network and clock drift: a submission this late after the time limit still counts.
TIME_LIMIT_GRACE = timedelta(seconds=30)


class LearningError(Exception):
    """A refused action, with a message for the person who tried it."""


def _locked(enrolment: Enrolment) -> Enrolment:
    """The enrolment row locked for this transaction: one writer per participant at a time."""
    # of=self: on PostgreSQL, lock only the enrolment row, not its date's or course page's rows.
    return (Enrolment.objects.select_for_update(of=("self",)).select_related("course_date__course")
            .get(pk=enrolment.pk))


def module_visit(*, enrolment: Enrolment, module: ModulePage, now: datetime | None = None) -> None:
    """Remembers the module as the participant's latest, for "continue where you left off". Reading it again
    (a reload, the next page of the same module) writes nothing: it already is the latest."""
    latest = next((module_id for module_id, in _latest_module(enrolment.pk)), None)
    if latest != module.pk:
        ModuleProgress.objects.update_or_create(enrolment=enrolment, module=module,
                                                defaults={"last_seen_at": now or timezone.now()})


_latest_module = CompiledRead(lambda enrolment: ModuleProgress.objects.filter(enrolment_id=enrolment)
                              .order_by("-last_seen_at", "-pk").values_list("module_id")[:1])  # each module read


@transaction.atomic
def module_done(*, enrolment: Enrolment, module: ModulePage, done: bool = True,
                now: datetime | None = None) -> ModuleProgress:
    now = now or timezone.now()
    enrolment = _locked(enrolment)
    progress, _created = ModuleProgress.objects.get_or_create(enrolment=enrolment, module=module,
                                                              defaults={"last_seen_at": now})
    progress.done_at = (progress.done_at or now) if done else None
    progress.save(update_fields=["done_at"])
    completion_recompute(enrolment=enrolment, now=now)
    return progress


# Quizzes

def attempt_close_if_timed_out(attempt: QuizAttempt, now: datetime) -> QuizAttempt:
    """Closes an attempt whose time ran out (scored 0). Conditional on it still being open, so a page view
    can never overwrite an attempt that was handed in meanwhile."""
    if attempt.is_open and attempt.deadline_at and now > attempt.deadline_at + TIME_LIMIT_GRACE:
        closed = {"status": QuizAttempt.Status.TIMED_OUT, "submitted_at": now, "points": 0, "score_percent": 0}
        QuizAttempt.objects.filter(pk=attempt.pk, status=QuizAttempt.Status.IN_PROGRESS).update(**closed)
        attempt.refresh_from_db()
    return attempt


@transaction.atomic
def attempt_start(*, enrolment: Enrolment, quiz: QuizPage, now: datetime | None = None) -> QuizAttempt:
    """A new attempt, or the one still under way (a second tab gets the same attempt, never a second one)."""
    now = now or timezone.now()
    enrolment = _locked(enrolment)
    attempts = list(QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).order_by("number"))
    for attempt in attempts:
        if attempt_close_if_timed_out(attempt, now).is_open:
            return attempt
    if any(attempt.status == QuizAttempt.Status.PASSED for attempt in attempts):
        raise LearningError(_("You have passed this quiz already."))
    if quiz.attempts_left(attempts) == 0:
        raise LearningError(_("You have used all your attempts for this quiz."))
    if not quiz.questions:
        raise LearningError(_("This quiz has no questions yet."))
    return QuizAttempt.objects.create(
        enrolment=enrolment, quiz=quiz, number=len(attempts) + 1, started_at=now,
        questions=scoring.snapshot(quiz.questions, shuffle=quiz.shuffle),
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None,
    )


def _apply_score(attempt: QuizAttempt) -> None:
    result = scoring.score(attempt.questions, attempt.answers, attempt.reviewed_points)
    attempt.points, attempt.max_points, attempt.score_percent = result.points, result.max_points, result.percent
    passed = result.passed(attempt.quiz.pass_mark_percent)
    attempt.status = (QuizAttempt.Status.AWAITING_REVIEW if passed is None
                      else QuizAttempt.Status.PASSED if passed else QuizAttempt.Status.FAILED)


@transaction.atomic
def attempt_submit(*, attempt: QuizAttempt, data, now: datetime | None = None) -> QuizAttempt:
    """Scores the answers. A malformed or forged submission raises AnswerError and stores nothing; a second
    submission (another tab) is refused; one after the time limit closes the attempt as timed out."""
    now = now or timezone.now()
    answers = scoring.parse_answers(attempt.questions, data)
    attempt = (QuizAttempt.objects.select_for_update(of=("self",)).select_related("quiz", "enrolment")
               .get(pk=attempt.pk))
    if not attempt.is_open:
        raise LearningError(_("This attempt was handed in already; it cannot be changed."))
    if attempt_close_if_timed_out(attempt, now).status == QuizAttempt.Status.TIMED_OUT:
        return attempt
    attempt.answers = answers
    attempt.submitted_at = now
    _apply_score(attempt)
    attempt.save()
    completion_recompute(enrolment=attempt.enrolment, now=now)
    return attempt


@transaction.atomic
def attempt_review(*, attempt: QuizAttempt, points: dict[str, int], actor: User,
                   now: datetime | None = None) -> QuizAttempt:
    """The trainer's points for the open answers; may be given again (regrading)."""
    now = now or timezone.now()
    attempt = (QuizAttempt.objects.select_for_update(of=("self",)).select_related("quiz", "enrolment")
               .get(pk=attempt.pk))
    open_questions = {q["key"]: q for q in attempt.questions
                      if q["kind"] == "open" and q["key"] in attempt.answers}
    if attempt.is_open or attempt.status == QuizAttempt.Status.TIMED_OUT or not open_questions:
        raise LearningError(_("This attempt has no answers to grade."))
    if set(points) != set(open_questions):
        raise LearningError(_("Give points for every open answer."))
    for key, value in points.items():
        if not 0 <= value <= open_questions[key]["points"]:
            raise LearningError(_("Points must be between 0 and the question's maximum."))
    attempt.reviewed_points = points
    attempt.reviewed_by, attempt.reviewed_at = actor, now
    _apply_score(attempt)
    attempt.save()
    record(attempt.enrolment, "attempt.reviewed", actor=actor, at=now,
           note=f"{attempt.quiz.title} #{attempt.number}: {attempt.score_percent}%")
    completion_recompute(enrolment=attempt.enrolment, actor=actor, now=now)
    return attempt


# Assignments

@dataclass(frozen=True)
class StoredUpload:
    """A handed-in file, checked and in the private storage before any lock is taken."""

    name: str
    kind: str
    size: int
    sha256: str
    shown_name: str


def _submission_storage():
    return AssignmentSubmission._meta.get_field("file").storage


def _upload_store(*, enrolment: Enrolment, assignment: AssignmentPage, upload) -> StoredUpload:
    """Checks what the file is (with the limits of learning.uploads), hashes it and writes it to the private
    storage (a bucket in production): slow work that holds no lock, so one large upload never keeps others
    from writing. A name of its own, so two uploads never meet."""
    if upload is None:
        raise LearningError(_("Choose a file to hand in."))
    try:
        kind = file_kind(upload)
    except UploadError as error:
        raise LearningError(str(error)) from error
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    shown = shown_file_name(upload.name, kind)
    stem = slugify(shown.rsplit(".", 1)[0])[:60] or "document"
    upload.seek(0)
    name = _submission_storage().save(
        submission_path(AssignmentSubmission(enrolment=enrolment, assignment=assignment),
                        f"{uuid.uuid4().hex[:12]}-{stem}.{kind}"), upload)
    return StoredUpload(name=name, kind=kind, size=upload.size, sha256=digest.hexdigest(), shown_name=shown)


def submission_create(*, enrolment: Enrolment, assignment: AssignmentPage, text: str = "", upload=None,
                      now: datetime | None = None) -> AssignmentSubmission:
    """Hands in an assignment: a file is checked and stored first, outside any transaction; the submission is then
    recorded in a short one under the place's lock. A refusal there removes the stored file again."""
    now = now or timezone.now()
    stored = _upload_store(enrolment=enrolment, assignment=assignment, upload=upload) \
        if assignment.takes_a_file else None
    try:
        return _submission_record(enrolment=enrolment, assignment=assignment, text=text, stored=stored, now=now)
    except BaseException:
        if stored is not None:
            _submission_storage().delete(stored.name)
        raise


@transaction.atomic
def _submission_record(*, enrolment: Enrolment, assignment: AssignmentPage, text: str, stored: StoredUpload | None,
                       now: datetime) -> AssignmentSubmission:
    enrolment = _locked(enrolment)
    previous = list(AssignmentSubmission.objects.filter(enrolment=enrolment, assignment=assignment)
                    .order_by("version"))
    if previous and previous[-1].status != AssignmentSubmission.Status.RESUBMIT:
        raise LearningError(_("You have handed in this assignment already."))
    deadline = assignment.deadline_for(enrolment)
    if not previous and deadline and now > deadline:  # a resubmission the trainer asked for is always welcome
        raise LearningError(_("The deadline for this assignment has passed."))
    submission = AssignmentSubmission(enrolment=enrolment, assignment=assignment, version=len(previous) + 1,
                                      submitted_at=now)
    if stored is None:
        submission.text = text.strip()
        if not submission.text:
            raise LearningError(_("Write your answer before handing it in."))
    else:
        submission.file.name = stored.name
        submission.file_kind, submission.file_size, submission.sha256 = stored.kind, stored.size, stored.sha256
        submission.file_name = stored.shown_name
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        raise LearningError(_("You have handed in this assignment already.")) from None
    return submission


def shown_file_name(name: str | None, kind: str) -> str:
    """The participant's file name as pages show it: without bidi controls and other invisible characters
    (which make "invoice\u202efdp.exe" read as "invoiceexe.pdf"), and with the extension of what the file
    really is."""
    visible = "".join(char for char in (name or "").rsplit("/", 1)[-1] if unicodedata.category(char) != "Cf")
    stem = visible.rsplit(".", 1)[0].strip() or "document"
    return f"{stem[:140]}.{kind}"


def submission_download_name(submission: AssignmentSubmission) -> str:
    """Downloads are named after what they are, never after what the participant called them."""
    person = slugify(submission.enrolment.user.get_full_name())[:40]
    return f"opdracht-{submission.pk}{f'-{person}' if person else ''}.{submission.file_kind}"


def submission_content_type(submission: AssignmentSubmission) -> str:
    return CONTENT_TYPES.get(submission.file_kind, "application/octet-stream")


@transaction.atomic
def submission_grade(*, submission: AssignmentSubmission, approved: bool, feedback: str, actor: User,
                     now: datetime | None = None) -> AssignmentSubmission:
    """Approve, or ask to hand in again (with feedback). Regrading an approved submission is allowed."""

    now = now or timezone.now()
    submission = (AssignmentSubmission.objects.select_for_update(of=("self",)).select_related("enrolment")
                  .get(pk=submission.pk))
    if submission.status == AssignmentSubmission.Status.RESUBMIT:
        raise LearningError(_("A newer version replaces this one; grade that instead."))
    feedback = feedback.strip()
    if not approved and not feedback:
        raise LearningError(_("Tell the participant what to improve."))
    submission.status = AssignmentSubmission.Status.APPROVED if approved else AssignmentSubmission.Status.RESUBMIT
    submission.feedback, submission.graded_by, submission.graded_at = feedback, actor, now
    submission.save(update_fields=["status", "feedback", "graded_by", "graded_at"])
    record(submission.enrolment, "submission.graded", actor=actor, at=now,
           note=f"{submission.assignment.title} v{submission.version}: {submission.get_status_display()}")
    completion_recompute(enrolment=submission.enrolment, actor=actor, now=now)
    enqueue_with_change(send_submission_graded, submission_id=submission.pk)
    return submission


# The evaluation

@transaction.atomic
def evaluation_submit(*, enrolment: Enrolment, answers: dict, now: datetime | None = None) -> Evaluation:
    now = now or timezone.now()
    enrolment = _locked(enrolment)
    if not selectors.evaluation_open(enrolment, now):
        raise LearningError(_("The evaluation is open once, from the first day of your course on."))
    evaluation = Evaluation.objects.create(enrolment=enrolment, course_date_id=enrolment.course_date_id,
                                           submitted_at=now, **answers)
    Enrolment.objects.filter(pk=enrolment.pk).update(evaluated_at=now)
    enrolment.evaluated_at = now
    completion_recompute(enrolment=enrolment, now=now)
    return evaluation


# Completion

@transaction.atomic
def attendance_save(*, course_date, present: dict[tuple[int, int], bool], actor: User,
                    now: datetime | None = None) -> int:
    """Attendance is part of the assessment: the courses app saves it, then each participant's completion is
    recomputed (a certificate follows from completion). Returns how many records changed."""
    now = now or timezone.now()
    changed = attendance.attendance_record(course_date=course_date, present=present, actor=actor, now=now)
    for enrolment in Enrolment.objects.filter(pk__in={pair[0] for pair in present}).order_by("pk"):
        completion_recompute(enrolment=enrolment, actor=actor, now=now)
    return changed


@transaction.atomic
def coaching_record(*, appointment: Appointment, took_place: bool, actor: User, now: datetime | None = None) -> bool:
    """The trainer records whether a coaching session took place (courses.appointments); where the course counts
    sessions towards completion, the participant's completion follows. Returns whether the record changed."""
    now = now or timezone.now()
    place = _locked(Enrolment(pk=appointment.enrolment_id))  # the place first, as booking and moving lock it
    changed = appointments.appointment_record(appointment=appointment, took_place=took_place, actor=actor, now=now)
    completion_recompute(enrolment=place, actor=actor, now=now)
    return changed


def coursework_move(*, old: Enrolment, new: Enrolment) -> None:
    """A place moved to another date: modules done, quiz attempts and assignments belong to the person, not the
    day, so they move with it. Attendance and the evaluation are about the old date and stay there."""
    for model in (ModuleProgress, QuizAttempt, AssignmentSubmission):
        model.objects.filter(enrolment=old).update(enrolment=new)


def completion_recompute(*, enrolment: Enrolment, actor: User | None = None, now: datetime | None = None) -> bool:
    """Marks the enrolment completed when every rule of its course is met, and takes that back when a
    corrected input (attendance, a regrade) means it no longer is. Returns whether it is completed.
    Call inside the transaction that changed the input; sends `signals.enrolment_completed` or
    `signals.completion_withdrawn` in it."""

    now = now or timezone.now()
    with transaction.atomic():
        enrolment = _locked(enrolment)
        met = (enrolment.status == Enrolment.Status.CONFIRMED and enrolment.user_id is not None
               and all(rule.met for rule in selectors.requirements(enrolment)))
        if met == (enrolment.completed_at is not None):
            return met
        enrolment.completed_at = now if met else None
        enrolment.save(update_fields=["completed_at"])
        record(enrolment, "enrolment.completed" if met else "enrolment.completion_withdrawn", actor=actor, at=now)
        if met:
            signals.enrolment_completed.send(sender=Enrolment, enrolment=enrolment, actor=actor)
            enqueue_with_change(send_completed, enrolment_id=enrolment.pk)
        else:
            signals.completion_withdrawn.send(sender=Enrolment, enrolment=enrolment, actor=actor)
        return met

"""Reads for learners and trainers, each a fixed number of queries whatever the number of people or pages."""

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import NamedTuple

from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from core import page_cache
from core.compiled import CompiledRead
from courses.models import AbsenceNotice, Appointment, Attendance, CourseDate, CoursePage, Enrolment, ModulePage

from .access import opens_at
from .models import AssignmentPage, AssignmentSubmission, Evaluation, ModuleProgress, QuizAttempt, QuizPage

PATH_STEP = Page.steplen  # treebeard: a page's parent has its path minus its last `steplen` characters


@dataclass
class CourseItems:
    modules: list[ModulePage] = field(default_factory=list)
    quizzes: list[QuizPage] = field(default_factory=list)
    assignments: list[AssignmentPage] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.modules) + len(self.quizzes) + len(self.assignments)


def course_items(course_ids) -> dict[int, CourseItems]:
    """The published modules, quizzes and assignments of each course, by course id: the same for everyone until a
    page changes, so kept in the shared cache (four queries when it is not there)."""
    if not course_ids:
        return {}
    ids = ",".join(str(pk) for pk in sorted(set(course_ids)))
    key = "course-items:" + (ids if len(ids) <= 100 else hashlib.sha256(ids.encode()).hexdigest())
    return page_cache.remembered(key, lambda: _course_items(
        list(CoursePage.objects.filter(pk__in=set(course_ids)).only("path", "depth"))), shared=True)


def _course_items(courses: list[CoursePage]) -> dict[int, CourseItems]:
    items = {course.pk: CourseItems() for course in courses}
    under_courses = Q()
    for course in courses:
        under_courses |= Q(path__startswith=course.path, depth=course.depth + 1)
    modules = list(ModulePage.objects.live().public().filter(under_courses).order_by("path"))
    course_of_path = {course.path: course.pk for course in courses}
    module_course = {}
    for module in modules:
        course_id = course_of_path[module.path[:-PATH_STEP]]
        module_course[module.path] = course_id
        items[course_id].modules.append(module)
    if not modules:
        return items
    under_modules = Q()
    for course in courses:
        under_modules |= Q(path__startswith=course.path, depth=course.depth + 2)
    for model, attribute in ((QuizPage, "quizzes"), (AssignmentPage, "assignments")):
        for page in model.objects.live().public().filter(under_modules).order_by("path"):
            course_id = module_course.get(page.path[:-PATH_STEP])  # None when its module is not published
            if course_id is not None:
                getattr(items[course_id], attribute).append(page)
    return items


@dataclass
class Progress:
    done: int
    total: int
    resume: Page | None  # the next thing the person can do now: a quiz to retake, or a module to go on with
    done_modules: frozenset[int] = frozenset()
    next_opens: datetime | None = None  # when nothing is open yet to go on with: when the next module opens

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 0


def progress_of(enrolments: list[Enrolment], now: datetime | None = None) -> dict[int, Progress]:
    """Each enrolment's share of modules done, quizzes passed and assignments approved, by enrolment id, and the
    next thing to do now: a quiz not passed yet that can be taken again, else the module to go on with among those
    open to them (not one that opens next week)."""
    now = now or timezone.now()
    courses = {enrolment.course_date.course_id for enrolment in enrolments}
    items = course_items(courses)
    ids = [enrolment.pk for enrolment in enrolments]
    visits, attempts, handed_in = [], [], {}
    for kind, enrolment_id, item_id, status, done_at in _learning_rows(
            ids, quizzes=any(items[pk].quizzes for pk in courses),
            assignments=any(items[pk].assignments for pk in courses)):
        if kind == VISIT:
            visits.append(Visit(enrolment_id, item_id, done_at))
        elif kind == QUIZ:
            attempts.append((enrolment_id, item_id, status))
        else:
            handed_in[(enrolment_id, item_id)] = status  # the latest version's (they come in order)
    approved = {key for key, status in handed_in.items() if status == AssignmentSubmission.Status.APPROVED}
    passed = {(enrolment_id, quiz_id) for enrolment_id, quiz_id, status in attempts
              if status == QuizAttempt.Status.PASSED}
    tries = Counter((enrolment_id, quiz_id) for enrolment_id, quiz_id, _status in attempts)
    result = {}
    for enrolment in enrolments:
        course_items_ = items[enrolment.course_date.course_id]
        is_open = {module.pk: (opening := opens_at(module, enrolment.course_date)) is None or opening <= now
                   for module in course_items_.modules}
        open_path = {module.path for module in course_items_.modules if is_open[module.pk]}
        retake = next((quiz for quiz in course_items_.quizzes
                       if tries[(enrolment.pk, quiz.pk)] and (enrolment.pk, quiz.pk) not in passed
                       and quiz.path[:-PATH_STEP] in open_path
                       and (quiz.max_attempts is None or tries[(enrolment.pk, quiz.pk)] < quiz.max_attempts)), None)
        done, resume = _module_to_go_on_with(enrolment, course_items_.modules, visits, is_open)
        to_do = resume or _task_to_do(enrolment, course_items_, open_path, tries, passed, handed_in, now)
        closed = [opens_at(module, enrolment.course_date) for module in course_items_.modules
                  if not is_open[module.pk] and module.pk not in done]
        result[enrolment.pk] = Progress(
            done=len(done)
            + sum((enrolment.pk, quiz.pk) in passed for quiz in course_items_.quizzes)
            + sum((enrolment.pk, assignment.pk) in approved for assignment in course_items_.assignments),
            total=course_items_.total,
            resume=retake or to_do,
            done_modules=frozenset(done),
            next_opens=min(closed) if closed and not (retake or to_do) else None,
        )
    return result


VISIT, QUIZ, ASSIGNMENT = "visit", "quiz", "assignment"


class Visit(NamedTuple):
    """A module the person opened: when they marked it done, if they did."""

    enrolment_id: int
    module_id: int
    done_at: datetime | None


def _learning_rows(enrolment_ids: list[int], *, quizzes: bool,
                   assignments: bool) -> list[tuple[str, int, int, str, datetime | None]]:
    """(kind, enrolment, item, status, done) of the modules visited (the latest seen last), the quiz attempts
    handed in and every version of the assignments handed in (oldest version first): one query for them all, the
    last two asked only of courses that have them."""
    return [row[:5] for row in _LEARNING_ROWS[quizzes, assignments](enrolment_ids)]


def _learning_rows_query(enrolment_ids: list[int], *, quizzes: bool, assignments: bool) -> QuerySet:
    no_moment = Value(None, output_field=DateTimeField())
    asked = [ModuleProgress.objects.filter(enrolment_id__in=enrolment_ids)
             .annotate(row_kind=Value(VISIT), row_of=F("enrolment_id"), row_item=F("module_id"), row_status=Value(""),
                       row_done=F("done_at"), row_order=Value(0), row_seen=F("last_seen_at"), row_id=F("id"))]
    if quizzes:
        asked.append(QuizAttempt.objects.filter(enrolment_id__in=enrolment_ids)
                     .exclude(status=QuizAttempt.Status.IN_PROGRESS)
                     .annotate(row_kind=Value(QUIZ), row_of=F("enrolment_id"), row_item=F("quiz_id"),
                               row_status=F("status"), row_done=no_moment, row_order=Value(0), row_seen=no_moment,
                               row_id=F("id")))
    if assignments:
        asked.append(AssignmentSubmission.objects.filter(enrolment_id__in=enrolment_ids)
                     .annotate(row_kind=Value(ASSIGNMENT), row_of=F("enrolment_id"), row_item=F("assignment_id"),
                               row_status=F("status"), row_done=no_moment, row_order=F("version"),
                               row_seen=no_moment, row_id=F("id")))
    columns = ("row_kind", "row_of", "row_item", "row_status", "row_done", "row_order", "row_seen", "row_id")
    asked = [query.order_by().values_list(*columns) for query in asked]
    union = asked[0].union(*asked[1:], all=True) if len(asked) > 1 else asked[0]
    return union.order_by("row_order", "row_seen", "row_id")


_LEARNING_ROWS = {(quizzes, assignments): CompiledRead(partial(_learning_rows_query, quizzes=quizzes,
                                                                 assignments=assignments))
                  for quizzes in (True, False) for assignments in (True, False)}


def _task_to_do(enrolment: Enrolment, items: "CourseItems", open_path: set[str], tries: Counter, passed: set,
                handed_in: dict, now: datetime) -> Page | None:
    """When every open module is done: the first quiz or assignment in an open module that still waits for the
    person (a quiz not taken yet, an assignment not handed in before its deadline, or one to hand in again)."""
    tasks = sorted([*items.quizzes, *items.assignments], key=lambda page: page.path)
    for page in tasks:
        if page.path[:-PATH_STEP] not in open_path:
            continue
        key = (enrolment.pk, page.pk)
        if isinstance(page, QuizPage):
            if not tries[key] and key not in passed:
                return page
            continue
        status = handed_in.get(key)
        deadline = page.deadline_for(enrolment)
        if status == AssignmentSubmission.Status.RESUBMIT or (status is None and (deadline is None or now <= deadline)):
            return page
    return None


def _module_to_go_on_with(enrolment: Enrolment, modules: list[ModulePage], visits: list[Visit],
                          is_open: dict[int, bool]) -> tuple[set[int], ModulePage | None]:
    """The modules done, and where to go on: the last one seen unless it is done, then the first open one not done
    after it; a person who has not started begins with the first open one."""
    by_id = {module.pk: module for module in modules}
    own = [visit for visit in visits if visit.enrolment_id == enrolment.pk and visit.module_id in by_id]
    done = {visit.module_id for visit in own if visit.done_at}
    last_seen = own[-1].module_id if own else None
    if last_seen is not None and last_seen not in done and is_open[last_seen]:
        return done, by_id[last_seen]
    if last_seen is None:
        return done, next((module for module in modules if is_open[module.pk]), None)
    return done, next((module for module in modules if module.pk not in done and is_open[module.pk]), None)


@dataclass
class Requirement:
    label: str
    done: int
    needed: int

    @property
    def met(self) -> bool:
        return self.done >= self.needed


def requirements(enrolment: Enrolment) -> list[Requirement]:
    """What the course asks before this participant has completed it, and how far they are."""
    course = enrolment.course_date.course
    items = course_items([course.pk])[course.pk]
    rules = []
    days = enrolment.course_date.meeting_days.count()
    if course.completion_attendance_percent and days:
        present = Attendance.objects.filter(enrolment=enrolment, present=True).count()
        needed = math.ceil(days * course.completion_attendance_percent / 100)
        if course.completion_excused_days:  # days missed with notice in advance, up to what the course allows
            came_after_all = Attendance.objects.filter(enrolment=enrolment, meeting_day=OuterRef("meeting_day"),
                                                       present=True)
            excused = AbsenceNotice.objects.filter(enrolment=enrolment).exclude(Exists(came_after_all)).count()
            needed -= min(excused, course.completion_excused_days)
        rules.append(Requirement(_("Meeting days attended"), present, max(needed, 0)))
    if course.completion_requires_coaching and course.coaching_sessions:
        held = Appointment.objects.filter(enrolment=enrolment, status=Appointment.Status.BOOKED,
                                          took_place=True).count()
        rules.append(Requirement(_("Coaching sessions held"), held, course.coaching_sessions))
    if course.completion_requires_modules and items.modules:
        done = ModuleProgress.objects.filter(enrolment=enrolment, done_at__isnull=False,
                                             module__in=items.modules).count()
        rules.append(Requirement(_("Modules done"), done, len(items.modules)))
    if course.completion_requires_quizzes and items.quizzes:
        passed = (QuizAttempt.objects.filter(enrolment=enrolment, status=QuizAttempt.Status.PASSED,
                                             quiz__in=items.quizzes).values("quiz").distinct().count())
        rules.append(Requirement(_("Quizzes passed"), passed, len(items.quizzes)))
    if course.completion_requires_assignments and items.assignments:
        approved = AssignmentSubmission.objects.filter(
            enrolment=enrolment, status=AssignmentSubmission.Status.APPROVED, assignment__in=items.assignments,
        ).count()
        rules.append(Requirement(_("Assignments approved"), approved, len(items.assignments)))
    if course.completion_requires_evaluation:
        rules.append(Requirement(_("Course evaluation"),
                                 int(enrolment.evaluated_at is not None), 1))
    return rules


def evaluation_open(enrolment: Enrolment, now: datetime | None = None) -> bool:
    """Participants evaluate from their first day on, once."""
    starts_at = enrolment.course_date.starts_at
    return (enrolment.status == Enrolment.Status.CONFIRMED and starts_at is not None
            and (now or timezone.now()) >= starts_at and enrolment.evaluated_at is None)


@dataclass
class GradebookRow:
    enrolment: Enrolment
    present: int
    quizzes: list[QuizAttempt | None]  # the best attempt per quiz (passed first, then the latest)
    assignments: list[AssignmentSubmission | None]  # the latest version per assignment
    evaluated: bool


@dataclass
class Gradebook:
    days: int
    items: CourseItems
    rows: list[GradebookRow]
    to_grade: list[AssignmentSubmission]
    to_review: list[QuizAttempt]


def gradebook(course_date: CourseDate) -> Gradebook:
    """Every confirmed participant of the date with attendance, quiz results, assignments and evaluation."""
    course = course_date.course
    items = course_items([course.pk])[course.pk]
    people = list(course_date.enrolments.filter(status=Enrolment.Status.CONFIRMED, user__isnull=False)
                  .select_related("user")
                  .order_by("user__full_name", "user__email"))
    present = Counter(Attendance.objects.filter(enrolment__in=people, present=True)
                      .values_list("enrolment_id", flat=True))
    attempts = list(QuizAttempt.objects.filter(enrolment__in=people, quiz__in=items.quizzes)
                    .exclude(status=QuizAttempt.Status.IN_PROGRESS).order_by("number"))
    submissions = list(AssignmentSubmission.objects.filter(enrolment__in=people, assignment__in=items.assignments)
                       .order_by("version"))
    best, latest = {}, {}
    for attempt in attempts:  # later attempts replace earlier ones, unless those passed
        key = (attempt.enrolment_id, attempt.quiz_id)
        if key not in best or best[key].status != QuizAttempt.Status.PASSED:
            best[key] = attempt
    for submission in submissions:
        latest[(submission.enrolment_id, submission.assignment_id)] = submission
    rows = [
        GradebookRow(
            enrolment=person, present=present[person.pk],
            quizzes=[best.get((person.pk, quiz.pk)) for quiz in items.quizzes],
            assignments=[latest.get((person.pk, assignment.pk)) for assignment in items.assignments],
            evaluated=person.evaluated_at is not None,
        )
        for person in people
    ]
    by_person = {person.pk: person for person in people}
    to_grade = [s for s in latest.values() if s.status == AssignmentSubmission.Status.SUBMITTED]
    to_review = [a for a in attempts if a.status == QuizAttempt.Status.AWAITING_REVIEW]
    for pending in (*to_grade, *to_review):
        pending.enrolment = by_person[pending.enrolment_id]
    return Gradebook(days=course_date.meeting_days.count(), items=items, rows=rows,
                     to_grade=sorted(to_grade, key=lambda s: s.submitted_at),
                     to_review=sorted(to_review, key=lambda a: a.submitted_at))


MIN_ANSWERS = 5  # fewer answers show no score or comment: in a small group one could tell who wrote what


@dataclass
class EvaluationSummary:
    count: int
    averages: list[tuple[str, float | None]]
    learned: list[str]
    improve: list[str]

    @property
    def shown(self) -> bool:
        return self.count >= MIN_ANSWERS

    @property
    def min_answers(self) -> int:
        return MIN_ANSWERS


def evaluation_summary(course_date: CourseDate) -> EvaluationSummary:
    """The date's evaluations together, without names, in the order they came in; for fewer than MIN_ANSWERS only
    how many there are."""
    evaluations = list(Evaluation.objects.filter(course_date=course_date).order_by("submitted_at"))
    if len(evaluations) < MIN_ANSWERS:
        return EvaluationSummary(count=len(evaluations), averages=[], learned=[], improve=[])
    averages = []
    for name in Evaluation.RATINGS:
        values = [getattr(evaluation, name) for evaluation in evaluations]
        averages.append((Evaluation._meta.get_field(name).verbose_name,
                         round(sum(values) / len(values), 1) if values else None))
    return EvaluationSummary(count=len(evaluations), averages=averages,
                             learned=[e.learned for e in evaluations if e.learned],
                             improve=[e.improve for e in evaluations if e.improve])

"""Who may see and do what in a module, and from when: read by the module, quiz and assignment pages (so it
imports no page of this app) and by every view that acts on a participant's coursework."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from core import page_cache
from core.permissions import opens_admin
from courses.models import CourseDate, CoursePage, Enrolment, ModulePage


def learner_enrolment(*, user, course: CoursePage) -> Enrolment | None:
    """The person's confirmed place on the course (their latest date when they came back for more)."""
    if not user.is_authenticated:
        return None
    enrolment = (
        Enrolment.objects.filter(user=user, course_date__course=course, status=Enrolment.Status.CONFIRMED)
        .exclude(course_date__status=CourseDate.Status.CANCELLED)
        .select_related("course_date")  # not the course: a page row is wide and its StreamFields costly to read
        .order_by("-course_date__starts_at", "-pk")
        .first()
    )
    if enrolment is not None:
        enrolment.course_date.course = course
    return enrolment


def learner_enrolment_of(request, course: CoursePage) -> Enrolment | None:
    """The same, asked once per request (a module page asks before serving and again while rendering)."""
    known = request.__dict__.setdefault("_learner_enrolments", {})
    if course.pk not in known:
        known[course.pk] = learner_enrolment(user=request.user, course=course)
    return known[course.pk]


def sees_everything(request) -> bool:
    """Editors, trainers and the office (who reach the admin), and previews in the CMS."""
    return getattr(request, "is_preview", False) or opens_admin(request.user)


def opens_at(module: ModulePage, course_date: CourseDate) -> datetime | None:
    if module.opens_days_from_start is None or course_date.starts_at is None:
        return None
    first_day = timezone.localtime(course_date.starts_at).replace(hour=0, minute=0, second=0, microsecond=0)
    return first_day + timedelta(days=module.opens_days_from_start)


@dataclass
class Access:
    """What one person may do with a module (and the quizzes and assignments inside it)."""

    enrolment: Enrolment | None
    content: bool  # sees the module's content
    opens_at: datetime | None = None  # set while the module is still closed for this participant

    @property
    def takes_part(self) -> bool:
        """May mark done, take quizzes and hand in assignments."""
        return self.enrolment is not None and self.content


def module_access(request, module: ModulePage, course: CoursePage, now: datetime | None = None) -> Access:
    enrolment = learner_enrolment_of(request, course)
    if enrolment is not None:
        opening = opens_at(module, enrolment.course_date)
        if opening and (now or timezone.now()) < opening:
            page_cache.valid_until(request, opening)  # a page kept for them shows it open from then on
            return Access(enrolment=enrolment, content=sees_everything(request) or module.open_to_all,
                          opens_at=opening)
        return Access(enrolment=enrolment, content=True)
    return Access(enrolment=None, content=module.open_to_all or sees_everything(request))

"""Who may see and do what in a module, and from when: read by the module, quiz and assignment pages (so it
imports no page of this app) and by every view that acts on a participant's coursework."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from core.permissions import opens_admin
from courses.models import CourseDate, CoursePage, Enrolment, ModulePage
from courses.selectors import places_on_course


def learner_enrolment_of(request, course: CoursePage) -> Enrolment | None:
    """The visitor's confirmed place on the course (their latest date when they came back for more), from their
    places on it (one query per request, shared with the course page's dates)."""
    return next((place for place in places_on_course(request, course) if place.status == Enrolment.Status.CONFIRMED
                 and place.course_date.status != CourseDate.Status.CANCELLED), None)


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
            return Access(enrolment=enrolment, content=sees_everything(request) or module.open_to_all,
                          opens_at=opening)
        return Access(enrolment=enrolment, content=True)
    return Access(enrolment=None, content=module.open_to_all or sees_everything(request))

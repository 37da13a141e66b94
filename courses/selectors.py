"""Reads of the catalogue that more than one page needs, each a fixed number of queries."""

from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from wagtail.models import Page

from .models import CourseAccreditation, CourseDate, CoursePage, Enrolment, MeetingDay, ModulePage


def courses_published(*, parent: Page | None = None) -> QuerySet[CoursePage]:
    courses = CoursePage.objects.live().public().select_related("image")
    if parent is not None:
        courses = courses.child_of(parent)
    return courses.prefetch_related(
        Prefetch("accreditations", queryset=CourseAccreditation.objects.order_by("sort_order"))
    ).order_by("path")


def course_modules_published(*, course: CoursePage) -> QuerySet[ModulePage]:
    return ModulePage.objects.child_of(course).live().public().order_by("path")



def seat_counts(now, *, through: str = "") -> Q:
    """A place takes a seat when confirmed, or held/offered and not yet past its time, even before the
    worker has released an expired hold. `through` prefixes the lookups (e.g. "enrolments__")."""
    return Q(**{f"{through}status": Enrolment.Status.CONFIRMED}) | Q(
        **{f"{through}status__in": Enrolment.TIMED, f"{through}hold_expires_at__gt": now}
    )


def course_dates_upcoming(*, course: CoursePage, now: datetime) -> QuerySet[CourseDate]:
    """Scheduled dates that have not started, with `seats_taken` and `waitlist_count`, in one query."""
    return (
        CourseDate.objects.filter(course=course, status=CourseDate.Status.SCHEDULED, starts_at__gt=now)
        .annotate(
            seats_taken=Count("enrolments", filter=seat_counts(now, through="enrolments__")),
            waitlist_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
        )
        .prefetch_related(Prefetch("meeting_days", queryset=MeetingDay.objects.order_by("starts_at")))
        .order_by("starts_at", "pk")
    )


def own_enrolment(*, user, pk: int) -> Enrolment:
    """The person's own enrolment with its date and course; 404 for anyone else's, telling nothing more."""
    return get_object_or_404(Enrolment.objects.select_related("course_date__course", "user"), pk=pk, user=user)


def seats_taken(*, course_date: CourseDate, now: datetime) -> int:
    return course_date.enrolments.filter(seat_counts(now)).count()


def places_of(*, user, course_dates) -> dict[int, Enrolment]:
    """The person's active place on each of these dates, by date id."""
    if not user.is_authenticated:
        return {}
    places = Enrolment.objects.filter(user=user, course_date__in=course_dates, status__in=Enrolment.ACTIVE)
    return {place.course_date_id: place for place in places}


def confirmed_place_on_course(*, user, course_id: int, now: datetime, except_date_id: int | None = None):
    """The person's confirmed place on a date of this course that has not ended yet (a second one makes no
    sense: people move their place instead)."""
    if not user.is_authenticated:
        return None
    return (Enrolment.objects.filter(user=user, status=Enrolment.Status.CONFIRMED, course_date__course_id=course_id,
                                     course_date__ends_at__gt=now)
            .exclude(course_date_id=except_date_id).select_related("course_date").first())


def waitlist_position(*, enrolment: Enrolment) -> int:
    """1 for the first in line."""
    return Enrolment.objects.filter(
        course_date_id=enrolment.course_date_id, status=Enrolment.Status.WAITLISTED,
        waitlist_position__lte=enrolment.waitlist_position,
    ).count()


def enrolments_of(*, user) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(user=user)
        .exclude(status__in=[Enrolment.Status.EXPIRED, Enrolment.Status.DECLINED])
        .select_related("course_date__course")
        .order_by("-course_date__starts_at", "-pk")
    )


def dates_for_trainer(*, user) -> QuerySet[CourseDate]:
    """A trainer's own dates; people who may see every enrolment (the office) see all dates."""
    dates = CourseDate.objects.select_related("course").order_by("-starts_at")
    if user.has_perm("courses.view_enrolment"):
        return dates
    return dates.filter(trainers=user)


def participants(*, course_date: CourseDate) -> QuerySet[Enrolment]:
    return (
        course_date.enrolments.filter(status__in=[*Enrolment.SEATED, Enrolment.Status.WAITLISTED])
        .select_related("user")
        .prefetch_related("user__register_memberships", "attendance")
        .order_by("status", "waitlist_position", "user__full_name", "user__email")
    )

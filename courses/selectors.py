"""Reads of the catalogue that more than one page needs, each a fixed number of queries."""

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Page
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from core import page_cache, paging
from core.compiled import CompiledRead, Fixed
from core.paging import PagedRead

from .models import Appointment, CourseDate, CoursePage, Enrolment, InterestEntry, MeetingDay
from .models.pages import courses_published  # noqa: F401 (the catalogue, for the site's pages)


def seat_counts(now, *, through: str = "") -> Q:
    """A place takes a seat when confirmed, or held/offered and not yet past its time, even before the
    worker has released an expired hold. `through` prefixes the lookups (e.g. "enrolments__")."""
    return Q(**{f"{through}status": Enrolment.Status.CONFIRMED}) | Q(
        **{f"{through}status__in": Enrolment.TIMED, f"{through}hold_expires_at__gt": now}
    )


def course_dates_upcoming(*, course: CoursePage, now: datetime) -> QuerySet[CourseDate]:
    """Scheduled dates that have not started, with `seats_taken` and `waitlist_count`, in one query."""
    return with_seat_counts(course_dates_scheduled(course=course, now=now), now)


def course_dates_scheduled(*, course: CoursePage, now: datetime) -> QuerySet[CourseDate]:
    """The same without the counts (`counted` adds them to a page of them)."""
    return (CourseDate.objects.filter(course=course, status=CourseDate.Status.SCHEDULED, starts_at__gt=now)
            .prefetch_related(Prefetch("meeting_days", queryset=MeetingDay.objects.order_by("starts_at")))
            .order_by("starts_at", "pk"))


def with_seat_counts(dates: QuerySet[CourseDate], now: datetime) -> QuerySet[CourseDate]:
    """Dates with `seats_taken`, `waitlist_count` and `next_release` (when the first hold or offer on it runs out,
    freeing its seat), in the same query."""
    return dates.annotate(
        seats_taken=Count("enrolments", filter=seat_counts(now, through="enrolments__")),
        waitlist_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
        next_release=Min("enrolments__hold_expires_at", filter=Q(enrolments__status__in=Enrolment.TIMED,
                                                                  enrolments__hold_expires_at__gt=now)),
    )


def counted(dates, now: datetime) -> list[CourseDate]:
    """These dates (a page of them, already sliced) with `seats_taken`, `waitlist_count` and `next_release`, counted
    for them alone: counting in the listing's own query would count every date before the page is cut."""
    dates = list(dates)
    counts = {row["pk"]: row for row in with_seat_counts(CourseDate.objects.filter(pk__in=[d.pk for d in dates]), now)
              .order_by().values("pk", "seats_taken", "waitlist_count", "next_release")}
    for course_date in dates:
        row = counts[course_date.pk]
        course_date.seats_taken, course_date.waitlist_count = row["seats_taken"], row["waitlist_count"]
        course_date.next_release = row["next_release"]
    return dates


def seats_open(course_date: CourseDate) -> int:
    """How many seats someone new can take now, on a date from `with_seat_counts`: while people wait, a freed
    seat is theirs first, so a date with a waitlist is full for everyone else. Every page that says "n seats
    left", "full" or offers a date to move to asks this."""
    if course_date.waitlist_count:
        return 0
    return max(course_date.capacity - course_date.seats_taken, 0)


def seats_open_on(course_date: CourseDate, now: datetime) -> int:
    return seats_open(with_seat_counts(CourseDate.objects.filter(pk=course_date.pk), now).get())


# A date's trainers as pages show them: their names, nothing else of their account (kept in the shared cache).
TRAINER_NAMES = Prefetch("trainers", queryset=get_user_model().objects.only(
    "id", "full_name", "first_name", "last_name", "email"))
DATES_ON_COURSE_PAGE = 5  # the next few; "all dates" pages through the rest
DATES_PER_PAGE = 25


@dataclass
class UpcomingDates:
    shown: list[CourseDate]  # with `seats_left`; copies marked with the visitor's places (`my_place`,
    # `my_other_place`) in `course_dates_for`, never the shared list of `course_dates_next`
    total: int  # upcoming dates in all

    @property
    def more(self) -> bool:
        return self.total > len(self.shown)


def course_dates_for(request, *, course: CoursePage, now: datetime) -> UpcomingDates:
    """The next upcoming dates as the course page lists them: the dates are the same for everyone and come from
    the shared cache; the visitor's places on them are the one query of `places_on_course`."""
    upcoming = course_dates_next(course=course, now=now)
    return UpcomingDates(shown=with_places_of(places_on_course(request, course), dates=upcoming.shown, now=now),
                         total=upcoming.total)


def places_on_course(request, course: CoursePage) -> list[Enrolment]:
    """The visitor's places on the course that hold a seat or wait for one, on any of its dates, the latest date
    first, with their dates: one query per request, which the course page's dates and its modules' access share."""
    known = request.__dict__.setdefault("_places_on_course", {})
    if course.pk not in known:
        known[course.pk] = _places_on_course(request.user.pk, course.pk) if request.user.is_authenticated else []
        for place in known[course.pk]:
            place.course_date.course = course
    return known[course.pk]


_places_on_course = CompiledRead(  # on every course and module page a signed-in person opens
    lambda user, course: Enrolment.objects.filter(user_id=user, course_date__course_id=course,
                                                  status__in=Enrolment.ACTIVE)
    .select_related("course_date")  # not the course: a page row is wide and its StreamFields costly to read
    .order_by("-course_date__starts_at", "-pk"))


def course_dates_next(*, course: CoursePage, now: datetime) -> UpcomingDates:
    """The course's next few upcoming dates with their days, trainers and `seats_left`, and how many there are: the
    same for everyone, so kept in the shared cache until a date or its seats change, or until one starts or a hold
    on it runs out."""

    def upcoming():
        dates = course_dates_scheduled(course=course, now=now)
        shown = with_seats_left(counted(dates.prefetch_related(TRAINER_NAMES)[:DATES_ON_COURSE_PAGE], now))
        total = len(shown) if len(shown) < DATES_ON_COURSE_PAGE else dates.count()
        return UpcomingDates(shown=shown, total=total)

    return page_cache.remembered(f"course-dates:{course.pk}", upcoming, topics=(page_cache.DATES,),
                                 expires=lambda upcoming: dates_change_by_themselves(upcoming.shown), shared=True)


def next_dates(*, courses: list[CoursePage], now: datetime) -> dict[int, CourseDate]:
    """For a catalogue: each course's next date (by course id) with its days and `seats_left`, in three queries
    whatever the number of courses and dates."""
    first = (CourseDate.objects.filter(course=OuterRef("pk"), status=CourseDate.Status.SCHEDULED, starts_at__gt=now)
             .order_by("starts_at", "pk").values("pk")[:1])
    ids = (CoursePage.objects.filter(pk__in=[course.pk for course in courses]).annotate(next_date=Subquery(first))
           .filter(next_date__isnull=False).values_list("next_date", flat=True))
    dates = CourseDate.objects.filter(pk__in=list(ids)).prefetch_related(
        Prefetch("meeting_days", queryset=MeetingDay.objects.order_by("starts_at")))
    return {course_date.course_id: course_date for course_date in with_seats_left(counted(dates, now))}


def with_seats_left(dates: list[CourseDate]) -> list[CourseDate]:
    for course_date in dates:
        course_date.seats_left = seats_open(course_date)
    return dates


def with_places_of(own: list[Enrolment], *, dates: list[CourseDate], now: datetime) -> list[CourseDate]:
    """The dates, each a copy marked with the person's place on it (`my_place`, from their places on the course:
    `own`) and, on the others, the confirmed place they already have on the course (`my_other_place`: enrolling
    again is refused, so the page says so before the form). Copies: the dates may be everyone's
    (`course_dates_next`)."""
    places = {place.course_date_id: place for place in own}
    confirmed = min((place for place in own if place.status == Enrolment.Status.CONFIRMED
                     and place.course_date.ends_at > now), key=lambda place: place.pk, default=None)
    marked = []
    for course_date in dates:
        course_date = copy.copy(course_date)
        course_date.my_place = places.get(course_date.pk)
        if confirmed is not None and confirmed.course_date_id != course_date.pk:
            course_date.my_other_place = confirmed
        marked.append(course_date)
    return marked


def dates_change_by_themselves(dates: list[CourseDate]) -> datetime | None:
    """When a list of upcoming dates changes with nothing saved: one of them starts, or a hold on it runs out."""
    return min([course_date.starts_at for course_date in dates]
               + [course_date.next_release for course_date in dates if course_date.next_release], default=None)


def on_interest_list(*, course: CoursePage, user) -> bool:
    return user.is_authenticated and bool(_interest_entry(course.pk, user.pk))


_interest_entry = CompiledRead(lambda course, user: InterestEntry.objects.filter(course_id=course, user_id=user)
                               .values_list("pk")[:1])  # on a course page, for every signed-in person


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


def places_kept(*, user) -> QuerySet[Enrolment]:
    """The person's places, but for holds that ran out and offers they declined."""
    return Enrolment.objects.filter(user=user).exclude(status__in=[Enrolment.Status.EXPIRED,
                                                                   Enrolment.Status.DECLINED])


def enrolments_of(*, user) -> QuerySet[Enrolment]:
    return (
        places_kept(user=user)
        .select_related("course_date")  # not the course: its title is enough, and a page row is wide
        .annotate(course_title=F("course_date__course__title"))
        .order_by(*EARLIER_FIRST)
    )


RECENT_EARLIER_PLACES = 3  # "Mijn opleidingen" shows the latest few earlier places; the rest on their own pages
SOONEST_FIRST, EARLIER_FIRST = ("course_date__starts_at", "pk"), ("-course_date__starts_at", "-pk")


def date_over(now: datetime) -> Q:
    """A place whose date is over."""
    return Q(course_date__ends_at__lt=now)


def current_places_of(*, user, now: datetime) -> QuerySet[Enrolment]:
    """The person's places on dates not yet over, the soonest first."""
    return enrolments_of(user=user).exclude(date_over(now)).order_by(*SOONEST_FIRST)


def earlier_places_of(*, user, now: datetime) -> QuerySet[Enrolment]:
    """The person's places on dates that are over, the latest first."""
    return enrolments_of(user=user).filter(date_over(now))


# "Mijn opleidingen" and the earlier places, a page at a time: `.page(number, per_page, user_id, now)`.
current_places_pages = PagedRead(lambda user, now: current_places_of(user=user, now=now))
earlier_places_pages = PagedRead(lambda user, now: earlier_places_of(user=user, now=now))


@dataclass
class MyPlaces:
    current: Page  # a page of the places on dates not yet over, the soonest first
    recent: list[Enrolment]  # the latest few earlier places
    earlier_count: int  # how many earlier places there are in all


def my_places(*, user_id: int, number: str | None, now: datetime) -> MyPlaces:
    """"Mijn opleidingen" in one query: page `number` (as typed in the address) of the person's places on dates not
    yet over, the latest few earlier ones, and how many there are of each."""
    page_number = paging.page_number(number)
    start = (page_number - 1) * DATES_PER_PAGE
    rows = _my_places(Fixed(start), Fixed(start + DATES_PER_PAGE), user_id, now)  # the soonest first
    current = [place for place in rows if not place.ended]
    recent = [place for place in rows if place.ended][::-1]  # the latest first: EARLIER_FIRST
    earlier_count = rows[0].earlier_count if rows else 0
    if not current and page_number > 1:  # past the end: the last page, as Paginator.get_page does
        return MyPlaces(current_places_pages.page(number, DATES_PER_PAGE, user_id, now), recent, earlier_count)
    current_count = rows[0].current_count if rows else 0
    return MyPlaces(paging.page_with_count(current, page_number, DATES_PER_PAGE, current_count), recent, earlier_count)


def _my_places_query(start: int, stop: int, user: int, now: datetime) -> QuerySet[Enrolment]:
    ended = date_over(now)
    current, earlier = places_kept(user=user).exclude(ended), places_kept(user=user).filter(ended)
    counted = {name: Coalesce(Subquery(places.order_by().values("user").annotate(n=Count("pk")).values("n")),
                              Value(0))
               for name, places in (("current_count", current), ("earlier_count", earlier))}
    return (enrolments_of(user=user)
            .filter(Q(pk__in=current.order_by(*SOONEST_FIRST).values("pk")[start:stop])
                    | Q(pk__in=earlier.order_by(*EARLIER_FIRST).values("pk")[:RECENT_EARLIER_PLACES]))
            .annotate(ended=ExpressionWrapper(ended, output_field=BooleanField()), **counted)
            .order_by(*SOONEST_FIRST))


_my_places = CompiledRead(_my_places_query)  # every time someone opens "Mijn opleidingen"


def dates_for_trainer(*, user) -> QuerySet[CourseDate]:
    """A trainer's own dates; people who may see every enrolment (the office) see all dates."""
    dates = CourseDate.objects.order_by("-starts_at")
    if user.has_perm("courses.view_enrolment"):
        return dates
    return dates.filter(trainers=user)


def trainer_date(*, user, pk: int) -> CourseDate:
    """One of the trainer's own dates (every date for the office); 404 for any other, telling nothing more."""
    return get_object_or_404(dates_for_trainer(user=user).select_related("course"), pk=pk)


def unnamed_seats(*, course_date: CourseDate) -> QuerySet[Enrolment]:
    """Seats organisations booked (and paid for, or took on invoice) that nobody has taken yet, with their
    booking's organisation. Seats still held for an online payment are not booked yet."""
    return (course_date.enrolments.filter(Enrolment.UNNAMED, status=Enrolment.Status.CONFIRMED)
            .select_related("booking__organisation").order_by("seat"))


def participants(*, course_date: CourseDate) -> QuerySet[Enrolment]:
    return (
        course_date.enrolments.filter(status__in=[*Enrolment.SEATED, Enrolment.Status.WAITLISTED], user__isnull=False)
        .select_related("user", "booking__organisation")
        .prefetch_related("user__register_memberships", "attendance", "absence_notices")
        .order_by("status", "waitlist_position", "user__full_name", "user__email")
    )


def called_off_places(*, course_date: CourseDate) -> list[Enrolment]:
    """The places that ended because the office called the date off (not those cancelled, swapped or freed
    before), each with what became of it: `moved_to` another date, `money_back`, `had_no_place` (nothing was
    paid), or still to choose until `choose_until`."""
    if course_date.cancelled_at is None:
        return []
    places = list(course_date.enrolments.filter(status=Enrolment.Status.CANCELLED,
                                                ended_at__gte=course_date.cancelled_at)
                  .select_related("user", "booking__organisation", "transferred_to__course_date")
                  .order_by("user__full_name", "user__email"))
    choice = timedelta(days=settings.DATE_CANCELLED_CHOICE_DAYS)
    for place in places:
        place.moved_to = place.transferred_to.course_date if place.transferred_to_id else None
        place.had_no_place = place.confirmed_at is None  # held, offered or waiting: nothing was paid
        place.money_back = place.refunded_at is not None
        place.choose_until = place.ended_at + choice
    return places


def sessions_used(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """The coaching sessions that use one of a place's: booked ones, except those the trainer recorded as not
    held (a missed session is booked again)."""
    return appointments.filter(status=Appointment.Status.BOOKED).exclude(took_place=False)


def sessions_per_place(course_date: CourseDate) -> dict[int, tuple[int, int]]:
    """(used, held) coaching sessions per place of the date, by place id: one query."""
    counts: dict[int, tuple[int, int]] = {}
    for place_id, took_place in sessions_used(Appointment.objects.filter(enrolment__course_date=course_date)
                                              ).values_list("enrolment_id", "took_place"):
        used, held = counts.get(place_id, (0, 0))
        counts[place_id] = (used + 1, held + int(bool(took_place)))
    return counts

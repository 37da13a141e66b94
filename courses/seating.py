"""Who sits on a date: the rules every change of seats follows, shared by enrolling, waitlists, bookings and the
date's own changes (courses.enrolments, .waitlists, .bookings, .schedule).

Each write takes a lock on the date row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs every
transaction as BEGIN IMMEDIATE, which serialises writers), reads the date's active places once (a
Seating), releases holds whose time has passed, then decides on that Seating in Python. Seat numbers
are unique per date in the database, so even a bug here cannot seat more than MAX_SEATS_PER_DATE people;
the date's own (lower) capacity is checked under the lock. Stretching a live hold to its payment page changes
nobody's seat: it updates the place's row alone (enrolments.hold_extend).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.audit import record
from core.compiled import CompiledRead
from core.formats import day
from core.tasks import enqueue_with_change

from .appointments import appointments_end
from .models import MAX_SEATS_PER_DATE, CourseDate, CoursePage, Enrolment, InterestEntry
from .notifications import (
    send_enrolment_confirmation,
    send_place_ended,
    send_waitlist_offer,
)
from .selectors import confirmed_place_on_course
from .vouchers import VoucherError, quote, redeem, uses_give_back

Status = Enrolment.Status



class EnrolmentError(Exception):
    """A rule that stops an enrolment action; the message is for the person who tried."""


class DateFull(EnrolmentError):
    pass


class CodeRefused(EnrolmentError):
    """A voucher code that does not apply here and now (the message says why); nothing was taken."""


def code_redeemed(course_date: CourseDate, code: str, *, seats: int, now: datetime):
    try:
        return redeem(course_date=course_date, code=code, seats=seats, now=now)
    except VoucherError as error:
        raise CodeRefused(str(error)) from error


class SeatGone(EnrolmentError):
    """Confirmation came after the hold ended and no seat is free: the payment must be refunded."""


@dataclass(frozen=True)
class Billing:
    billing_type: str = "self"
    company_name: str = ""
    billing_street: str = ""
    billing_postcode: str = ""
    billing_city: str = ""
    billing_country: str = "NL"
    company_contact: str = ""
    company_email: str = ""
    company_reference: str = ""
    company_vat_id: str = ""
    company_kvk: str = ""


def hold_duration() -> timedelta:
    return timedelta(minutes=settings.ENROLMENT_HOLD_MINUTES)


def offer_duration() -> timedelta:
    return timedelta(hours=settings.WAITLIST_OFFER_HOURS)


MIN_OFFER_WINDOW = timedelta(hours=1)


def dates_with_course():
    """Dates read with their course's terms and prices, in one query; without the long texts of the course's page
    (kilobytes of description and programme, parsed on every read), which no enrolment needs."""
    return CourseDate.objects.select_related("course").defer(*(f"course__{text}" for text in CoursePage.LONG_TEXTS))


def date_locked(course_date: CourseDate, *, with_course: bool = True) -> CourseDate:
    """The date, locked for this transaction; with its course page when the caller needs the course's terms."""
    if not with_course:
        if transaction.get_autocommit():  # Django checks this when it compiles; a compiled read runs without it
            raise transaction.TransactionManagementError("date_locked runs inside a transaction.")
        locked = (_date_locked if settings.ENROLMENT_LOCKING else _date_unlocked)(course_date.pk)
        if not locked:
            raise CourseDate.DoesNotExist(f"No date {course_date.pk}")
        return locked[0]
    dates = dates_with_course()
    if settings.ENROLMENT_LOCKING:  # only the concurrency tests' negative control turns this off
        dates = dates.select_for_update(of=("self",))
    return dates.get(pk=course_date.pk)


# Every press that gets past the first look in a rush queues for this lock: compiled once.
_date_locked = CompiledRead(lambda pk: CourseDate.objects.select_for_update().filter(pk=pk))
_date_unlocked = CompiledRead(lambda pk: CourseDate.objects.filter(pk=pk))


def takes_seat(status: str, hold_expires_at: datetime | None, now: datetime) -> bool:
    """selectors.seat_counts in Python: confirmed, or held or offered and not yet past its time."""
    return status == Status.CONFIRMED or (status in Enrolment.TIMED and hold_expires_at > now)


def place_locked(enrolment: Enrolment, *, with_course: bool = False) -> tuple[CourseDate, Enrolment]:
    """Locks the enrolment's date, then reads the enrolment afresh, carrying the locked date."""
    course_date = date_locked(CourseDate(pk=enrolment.course_date_id), with_course=with_course)
    fresh = Enrolment.objects.get(pk=enrolment.pk)
    fresh.course_date = course_date
    return course_date, fresh


class Seating:
    """A date's active places, read in one query under the date's lock. Decisions are made on it in Python;
    the transitions of this transaction change its entries in place, so it stays true until the commit."""

    def __init__(self, course_date: CourseDate):
        self.course_date = course_date
        self.places = _active_places(course_date.pk)
        for place in self.places:  # as the date's related manager would: they carry the locked date
            place.course_date = course_date
        self.released: list[Enrolment] = []  # holds and offers this transaction let expire

    def _with(self, statuses) -> list[Enrolment]:
        return [place for place in self.places if place.status in statuses]

    def place_of(self, user_id: int) -> Enrolment | None:
        return next((place for place in self._with(Enrolment.ACTIVE) if place.user_id == user_id), None)

    def get(self, enrolment: Enrolment) -> Enrolment:
        """This transaction's copy of the enrolment, when it is among the places."""
        return next((place for place in self.places if place.pk == enrolment.pk), enrolment)

    def expired(self, now: datetime) -> list[Enrolment]:
        timed = [place for place in self._with(Enrolment.TIMED) if place.hold_expires_at <= now]
        return sorted(timed, key=lambda place: (place.hold_expires_at, place.pk))

    def waiting(self) -> list[Enrolment]:
        """The line, first to be offered first."""
        return sorted(self._with([Status.WAITLISTED]), key=lambda place: (place.waitlist_position, place.pk))

    def free_seat(self) -> int | None:
        free = self.free_seats()
        return free[0] if free else None

    def free_seats(self) -> list[int]:
        """The numbers of the seats nobody takes, as many as the date's capacity leaves."""
        taken = {place.seat for place in self._with(Enrolment.SEATED)}
        left = max(self.course_date.capacity - len(taken), 0)
        return [seat for seat in range(1, MAX_SEATS_PER_DATE + 1) if seat not in taken][:left]


_active_places = CompiledRead(lambda date_id: Enrolment.objects.filter(course_date_id=date_id,
                                                                      status__in=Enrolment.ACTIVE))


def note_of(*parts: str) -> str:
    """A log note from the parts that say something."""
    return " · ".join(part.strip() for part in parts if part and part.strip())[:250]


def transition(enrolment: Enrolment, to: str, *, at: datetime, actor: User | None, note: str = "",
                calendar_told_elsewhere: bool = False, **fields):
    """Moves a place to state `to`. A confirmed place that ends takes its events out of the person's calendar,
    by a message of its own unless the caller's email carries the cancellation (`calendar_told_elsewhere`)."""
    from_status = enrolment.status if enrolment.pk else ""
    enrolment.status = to
    for name, value in fields.items():
        setattr(enrolment, name, value)
    if to not in Enrolment.TIMED:
        enrolment.hold_expires_at = None
    if to not in Enrolment.SEATED:
        enrolment.seat = None
    if to != Status.WAITLISTED:
        enrolment.waitlist_position = None
    if to != Status.CONFIRMED:
        enrolment.completed_at = None
    if to not in Enrolment.ACTIVE:
        enrolment.ended_at = at
    if to in (Status.EXPIRED, Status.CANCELLED) and from_status == Status.HELD and enrolment.voucher_id:
        uses_give_back(enrolment.voucher_id, 1)  # never paid: the code's use goes back
    enrolment.save()
    record(enrolment, f"enrolment.{to}", actor=actor, at=at, from_status=from_status, to_status=to, note=note)
    if from_status == Status.CONFIRMED and to != Status.CONFIRMED:
        appointments_end(enrolment, at=at)  # its coaching sessions still to come end with it
        if enrolment.user_id and not calendar_told_elsewhere:
            enqueue_with_change(send_place_ended, enrolment_id=enrolment.pk)
    return enrolment


def seating_released(course_date: CourseDate, now: datetime) -> Seating:
    """The locked date's places, with holds and offers whose time has passed released."""
    seating = Seating(course_date)
    lapsed = seating.expired(now)
    if lapsed:  # a hold may have been stretched to its payment page since the read: that takes no date lock
        stretched = dict(Enrolment.objects.select_for_update().filter(pk__in=[place.pk for place in lapsed])
                         .values_list("pk", "hold_expires_at"))
        for place in lapsed:
            place.hold_expires_at = stretched[place.pk]
        lapsed = seating.expired(now)
    seating.released = lapsed
    for enrolment in seating.released:
        note = "offer not answered in time" if enrolment.status == Status.OFFERED else "hold ran out"
        transition(enrolment, Status.EXPIRED, at=now, actor=None, note=note)
    return seating


def offer_deadline(course_date: CourseDate, now: datetime) -> datetime | None:
    """48 hours by default, shorter when the date is close, never after enrolment closes; None when
    too little time is left for an offer to make sense."""
    deadline = min(now + offer_duration(), course_date.closes_at)
    return deadline if deadline - now >= MIN_OFFER_WINDOW else None


def free_seats_offered(seating: Seating, now: datetime) -> list[Enrolment]:
    offered = []
    deadline = offer_deadline(seating.course_date, now)
    if seating.course_date.status != CourseDate.Status.SCHEDULED or deadline is None:
        return offered
    for enrolment in seating.waiting():
        seat = seating.free_seat()
        if seat is None:
            break
        offered.append(transition(enrolment, Status.OFFERED, at=now, actor=None, seat=seat,
                                   hold_expires_at=deadline))
    if offered:

        for enrolment in offered:
            enqueue_with_change(send_waitlist_offer, enrolment_id=enrolment.pk)
    return offered


def seating_settled(course_date: CourseDate, now: datetime) -> Seating:
    """The locked date's places after expiry, with every free seat offered to the waitlist first."""
    seating = seating_released(course_date, now)
    free_seats_offered(seating, now)
    return seating


def check_open(course_date: CourseDate, now: datetime) -> None:
    if course_date.status == CourseDate.Status.CANCELLED:
        raise EnrolmentError(_("This date has been cancelled."))
    if course_date.status != CourseDate.Status.SCHEDULED or not course_date.starts_at:
        raise EnrolmentError(_("Enrolment for this date is closed."))
    if now >= course_date.closes_at:
        raise EnrolmentError(_("Enrolment for this date has closed."))
    if not course_date.course.price_set:
        raise EnrolmentError(_("Enrolment for this course opens soon."))


def check_changeable(enrolment: Enrolment, course_date: CourseDate, now: datetime, *, by_office: bool,
                      moving: bool = False) -> None:
    """Once its date has started only the office cancels or moves a place; a completed place never moves, and
    only the office can still cancel it (which withdraws the completion)."""
    if enrolment.completed_at is not None and (moving or not by_office):
        raise EnrolmentError(_("This place has been completed: it can no longer be cancelled or moved."))
    if enrolment.booking_id and enrolment.booking.organisation_id and not by_office:
        raise EnrolmentError(_("Your organisation booked this place: please ask your contact person to change "
                               "or cancel it."))
    if enrolment.status == Status.CONFIRMED and course_date.has_started(now) and not by_office:
        raise EnrolmentError(_("This date has started: your place can no longer be cancelled or moved. "
                               "Please contact us if something is wrong."))


def participant_may_change(enrolment: Enrolment, now: datetime) -> bool:
    """Whether the participant may still cancel or move this place themselves (check_changeable decides)."""
    started = enrolment.status == Status.CONFIRMED and enrolment.course_date.has_started(now)
    booked_by_organisation = enrolment.booking_id is not None and enrolment.booking.organisation_id is not None
    return enrolment.completed_at is None and not booked_by_organisation and not started


def already_on_course(starts_at: datetime) -> str:
    """What someone with a confirmed place on another date of the course (starting then) is told."""
    return _("You already have a place on this course on %(date)s. To take part on another date, move that "
             "place instead.") % {"date": day(starts_at)}


def check_not_confirmed_elsewhere(course_date: CourseDate, user: User, now: datetime) -> None:

    other = confirmed_place_on_course(user=user, course_id=course_date.course_id, now=now,
                                      except_date_id=course_date.pk)
    if other is not None:
        raise EnrolmentError(already_on_course(other.course_date.starts_at))


def refused_at_first_look(course_date: CourseDate, user: User, now: datetime) -> None:
    """One unlocked read of the date's places and the person's confirmed places on the course's other dates,
    refusing what needs no lock: a second place on the course (EnrolmentError), or a date whose seats are all
    taken by others (DateFull). Refusing on it is safe, because seats only free up through later events: the date
    was full at the moment of the read. In a rush most attempts end here, without queueing for the date's lock."""
    taken, own = 0, False
    for date_id, user_id, status, hold_expires_at, starts_at in _first_look(course_date.pk, user.pk,
                                                                            course_date.course_id, now):
        if date_id != course_date.pk:
            raise EnrolmentError(already_on_course(starts_at))
        own = own or user_id == user.pk
        taken += takes_seat(status, hold_expires_at, now)
    if not own and taken >= course_date.capacity:
        raise DateFull(_("This date is full. You can join the waitlist."))


def _first_look_query(date_id: int, user_id: int, course_id: int, now: datetime):
    here = Q(course_date_id=date_id, status__in=Enrolment.ACTIVE)
    elsewhere = Q(user_id=user_id, status=Enrolment.Status.CONFIRMED, course_date__course_id=course_id,
                  course_date__ends_at__gt=now) & ~Q(course_date_id=date_id)
    return Enrolment.objects.filter(here | elsewhere).order_by("pk").values_list(
        "course_date_id", "user_id", "status", "hold_expires_at", "course_date__starts_at")


_first_look = CompiledRead(_first_look_query)  # compiled once: in a rush, every attempt asks it


def code_checked(course_date: CourseDate, code: str, now: datetime) -> None:
    try:
        quote(course_date=course_date, code=code, now=now)
    except VoucherError as error:
        raise CodeRefused(str(error)) from error



def place_confirmed(enrolment: Enrolment, *, at: datetime, actor: User | None, **fields) -> Enrolment:
    transition(enrolment, Status.CONFIRMED, at=at, actor=actor, confirmed_at=at, **fields)
    InterestEntry.objects.filter(course_id=enrolment.course_date.course_id, user_id=enrolment.user_id).delete()

    enqueue_with_change(send_enrolment_confirmation, enrolment_id=enrolment.pk)
    return enrolment



@dataclass(frozen=True)
class Cancellation:
    enrolment: Enrolment
    refund: Decimal



def dates_locked(first: CourseDate, second: CourseDate) -> tuple[CourseDate, CourseDate]:
    """Two dates locked in id order, so that two transfers in opposite directions cannot deadlock."""
    locked = {date.pk: date_locked(date) for date in sorted([first, second], key=lambda date: date.pk)}
    return locked[first.pk], locked[second.pk]


"""Seats, holds, waitlists and offers: every change to who sits on a date goes through here.

Each write takes a lock on the date row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs every
transaction as BEGIN IMMEDIATE, which serialises writers), reads the date's active places once (a
Seating), releases holds whose time has passed, then decides on that Seating in Python. Seat numbers
are unique per date in the database, so even a bug here cannot seat more than MAX_SEATS_PER_DATE people;
the date's own (lower) capacity is checked under the lock.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.audit import record
from core.formats import day
from core.tasks import enqueue_with_change

from .models import CENT, MAX_SEATS_PER_DATE, Attendance, CourseDate, CoursePage, Enrolment, InterestEntry
from .notifications import (
    send_date_announcement,
    send_date_cancelled,
    send_date_changed,
    send_enrolment_confirmation,
    send_place_ended,
    send_reminder,
    send_waitlist_offer,
)
from .selectors import confirmed_place_on_course, seats_taken
from .vouchers import VoucherError, quote, redeem, uses_give_back, uses_take

Status = Enrolment.Status


class EnrolmentError(Exception):
    """A rule that stops an enrolment action; the message is for the person who tried."""


class DateFull(EnrolmentError):
    pass


class CodeRefused(EnrolmentError):
    """A voucher code that does not apply here and now (the message says why); nothing was taken."""


def _redeem(course_date: CourseDate, code: str, *, seats: int, now: datetime):
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
    company_address: str = ""
    company_contact: str = ""
    company_reference: str = ""
    company_vat_id: str = ""
    company_kvk: str = ""


def hold_duration() -> timedelta:
    return timedelta(minutes=settings.ENROLMENT_HOLD_MINUTES)


def offer_duration() -> timedelta:
    return timedelta(hours=settings.WAITLIST_OFFER_HOURS)


MIN_OFFER_WINDOW = timedelta(hours=1)


def _lock(course_date: CourseDate, *, with_course: bool = True) -> CourseDate:
    """The date, locked for this transaction; with its course page when the caller needs the course's terms."""
    dates = CourseDate.objects.select_related("course") if with_course else CourseDate.objects.all()
    if settings.ENROLMENT_LOCKING:  # only the concurrency tests' negative control turns this off
        dates = dates.select_for_update(of=("self",))
    return dates.get(pk=course_date.pk)


def takes_seat(status: str, hold_expires_at: datetime | None, now: datetime) -> bool:
    """selectors.seat_counts in Python: confirmed, or held or offered and not yet past its time."""
    return status == Status.CONFIRMED or (status in Enrolment.TIMED and hold_expires_at > now)


def _lock_place(enrolment: Enrolment, *, with_course: bool = False) -> tuple[CourseDate, Enrolment]:
    """Locks the enrolment's date, then reads the enrolment afresh, carrying the locked date."""
    course_date = _lock(CourseDate(pk=enrolment.course_date_id), with_course=with_course)
    fresh = Enrolment.objects.get(pk=enrolment.pk)
    fresh.course_date = course_date
    return course_date, fresh


class Seating:
    """A date's active places, read in one query under the date's lock. Decisions are made on it in Python;
    the transitions of this transaction change its entries in place, so it stays true until the commit."""

    def __init__(self, course_date: CourseDate):
        self.course_date = course_date
        self.places = list(course_date.enrolments.filter(status__in=Enrolment.ACTIVE))
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


def _note(*parts: str) -> str:
    """A log note from the parts that say something."""
    return " · ".join(part.strip() for part in parts if part and part.strip())[:250]


def _transition(enrolment: Enrolment, to: str, *, at: datetime, actor: User | None, note: str = "",
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
    if from_status == Status.CONFIRMED and to != Status.CONFIRMED and enrolment.user_id and not calendar_told_elsewhere:
        enqueue_with_change(send_place_ended, enrolment_id=enrolment.pk)
    return enrolment


def _seating(course_date: CourseDate, now: datetime) -> Seating:
    """The locked date's places, with holds and offers whose time has passed released."""
    seating = Seating(course_date)
    seating.released = seating.expired(now)
    for enrolment in seating.released:
        note = "offer not answered in time" if enrolment.status == Status.OFFERED else "hold ran out"
        _transition(enrolment, Status.EXPIRED, at=now, actor=None, note=note)
    return seating


def offer_deadline(course_date: CourseDate, now: datetime) -> datetime | None:
    """48 hours by default, shorter when the date is close, never after enrolment closes; None when
    too little time is left for an offer to make sense."""
    deadline = min(now + offer_duration(), course_date.closes_at)
    return deadline if deadline - now >= MIN_OFFER_WINDOW else None


def _offer_free_seats(seating: Seating, now: datetime) -> list[Enrolment]:
    offered = []
    deadline = offer_deadline(seating.course_date, now)
    if seating.course_date.status != CourseDate.Status.SCHEDULED or deadline is None:
        return offered
    for enrolment in seating.waiting():
        seat = seating.free_seat()
        if seat is None:
            break
        offered.append(_transition(enrolment, Status.OFFERED, at=now, actor=None, seat=seat,
                                   hold_expires_at=deadline))
    if offered:

        for enrolment in offered:
            enqueue_with_change(send_waitlist_offer, enrolment_id=enrolment.pk)
    return offered


def _settled(course_date: CourseDate, now: datetime) -> Seating:
    """The locked date's places after expiry, with every free seat offered to the waitlist first."""
    seating = _seating(course_date, now)
    _offer_free_seats(seating, now)
    return seating


def _check_open(course_date: CourseDate, now: datetime) -> None:
    if course_date.status == CourseDate.Status.CANCELLED:
        raise EnrolmentError(_("This date has been cancelled."))
    if course_date.status != CourseDate.Status.SCHEDULED or not course_date.starts_at:
        raise EnrolmentError(_("Enrolment for this date is closed."))
    if now >= course_date.closes_at:
        raise EnrolmentError(_("Enrolment for this date has closed."))
    if not course_date.course.price_set:
        raise EnrolmentError(_("Enrolment for this course opens soon."))


def _check_changeable(enrolment: Enrolment, course_date: CourseDate, now: datetime, *, by_office: bool,
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
    """Whether the participant may still cancel or move this place themselves (_check_changeable decides)."""
    started = enrolment.status == Status.CONFIRMED and enrolment.course_date.has_started(now)
    booked_by_organisation = enrolment.booking_id is not None and enrolment.booking.organisation_id is not None
    return enrolment.completed_at is None and not booked_by_organisation and not started


def already_on_course(place: Enrolment) -> str:
    return _("You already have a place on this course on %(date)s. To take part on another date, move that "
             "place instead.") % {"date": day(place.course_date.starts_at)}


def _check_not_confirmed_elsewhere(course_date: CourseDate, user: User, now: datetime) -> None:

    other = confirmed_place_on_course(user=user, course_id=course_date.course_id, now=now,
                                      except_date_id=course_date.pk)
    if other is not None:
        raise EnrolmentError(already_on_course(other))


def _full_without(course_date: CourseDate, user: User, now: datetime) -> bool:
    """One unlocked read: every seat is taken and the person has no place on the date. Refusing on it is
    safe, because seats only free up through later events: the date was full at the moment of the read."""
    places = course_date.enrolments.filter(status__in=Enrolment.ACTIVE).values_list("user_id", "status",
                                                                                     "hold_expires_at")
    taken = 0
    for user_id, status, hold_expires_at in places:
        if user_id == user.pk:
            return False
        taken += takes_seat(status, hold_expires_at, now)
    return taken >= course_date.capacity


def enrolment_hold(*, course_date: CourseDate, user: User, billing: Billing, code: str = "",
                   now: datetime | None = None) -> Enrolment:
    """Holds a seat for the person while they pay, at the price `code` (a voucher, may be empty) gives. Raises
    DateFull when no seat is free for them, VoucherError (an EnrolmentError) for a code that does not apply.

    In a rush most attempts meet a full date: they are refused on one plain read, without queueing for
    the date's lock; everyone else decides under it."""
    now = now or timezone.now()
    _check_open(course_date, now)
    _check_not_confirmed_elsewhere(course_date, user, now)
    if _full_without(course_date, user, now):
        raise DateFull(_("This date is full. You can join the waitlist."))
    _voucher_check(course_date, code, now)
    return _hold(course_date=course_date, user=user, billing=billing, code=code, now=now)


def _voucher_check(course_date: CourseDate, code: str, now: datetime) -> None:
    try:
        quote(course_date=course_date, code=code, now=now)
    except VoucherError as error:
        raise CodeRefused(str(error)) from error


@transaction.atomic
def _hold(*, course_date: CourseDate, user: User, billing: Billing, code: str, now: datetime) -> Enrolment:
    course_date = _lock(course_date)
    _check_open(course_date, now)
    seating = _settled(course_date, now)  # freed seats go to the waitlist before newcomers
    existing = seating.place_of(user.pk)
    if existing:
        if existing.status == Status.HELD:
            return existing  # the same person submitting again: keep their hold
        raise EnrolmentError(_("You already have a place on this date or are on its waitlist."))
    seat = seating.free_seat()
    if seat is None:
        raise DateFull(_("This date is full. You can join the waitlist."))
    offer = _redeem(course_date, code, seats=1, now=now)
    enrolment = Enrolment(course_date=course_date, user=user, price_incl_vat=offer.price, voucher=offer.voucher,
                          discount_incl_vat=offer.discount, **billing.__dict__)
    return _transition(enrolment, Status.HELD, at=now, actor=user, seat=seat,
                       hold_expires_at=now + hold_duration(), terms_accepted_at=now)


@transaction.atomic
def enrolment_confirm(*, enrolment: Enrolment, actor: User | None = None, now: datetime | None = None) -> Enrolment:
    """Turns a held or offered seat into a confirmed place (after payment, or at once when free of charge).

    Idempotent. A hold that ran out still gets a seat if one is free; otherwise SeatGone.
    """
    now = now or timezone.now()
    course_date, enrolment = _lock_place(enrolment)
    if enrolment.status == Status.CONFIRMED:
        return enrolment
    if enrolment.booking_id:
        raise EnrolmentError(_("A booked seat is confirmed with its booking."))  # courses.bookings.booking_confirm
    if enrolment.status in Enrolment.TIMED and enrolment.hold_expires_at > now:
        return _confirmed(enrolment, at=now, actor=actor)
    if enrolment.status not in (*Enrolment.TIMED, Status.EXPIRED):
        raise EnrolmentError(_("This enrolment can no longer be confirmed."))
    seating = _seating(course_date, now)
    enrolment = seating.get(enrolment)
    if seating.place_of(enrolment.user_id):
        raise EnrolmentError(_("You already have a place on this date or are on its waitlist."))
    seat = seating.free_seat()
    if seat is None:
        raise SeatGone(_("The seat held for you was released and the date is now full."))
    if enrolment.voucher_id and not uses_take(enrolment.voucher_id, 1):
        raise SeatGone(_("The hold ran out and the last use of your code went to someone else meanwhile."))
    return _confirmed(enrolment, at=now, actor=actor, seat=seat, ended_at=None,
                      note="confirmed after the hold ran out")


@transaction.atomic
def hold_extend(*, enrolment: Enrolment, until: datetime, now: datetime | None = None) -> Enrolment:
    """Keeps a held seat until `until`, the expiry of the payment page the person is sent to, so the seat
    and the chance to pay end together (Stripe keeps a payment page open for at least 30 minutes)."""
    now = now or timezone.now()
    _course_date, enrolment = _lock_place(enrolment)
    if enrolment.status != Status.HELD or enrolment.hold_expires_at <= now:
        raise EnrolmentError(_("Your seat is no longer held. Please enrol again."))
    if until > enrolment.hold_expires_at:
        enrolment.hold_expires_at = until
        enrolment.save(update_fields=["hold_expires_at"])
        record(enrolment, "enrolment.hold_extended", at=now,
               note=f"held until {until.isoformat()} for the payment page")
    return enrolment


@transaction.atomic
def hold_release(*, enrolment: Enrolment, note: str, now: datetime | None = None) -> Enrolment:
    """Ends a hold before its time (its payment page expired unpaid); the seat goes to the next in line."""
    now = now or timezone.now()
    course_date, enrolment = _lock_place(enrolment)
    if enrolment.status == Status.HELD:
        _transition(enrolment, Status.EXPIRED, at=now, actor=None, note=note)
        _settled(course_date, now)
    return enrolment


def _confirmed(enrolment: Enrolment, *, at: datetime, actor: User | None, **fields) -> Enrolment:
    _transition(enrolment, Status.CONFIRMED, at=at, actor=actor, confirmed_at=at, **fields)
    InterestEntry.objects.filter(course_id=enrolment.course_date.course_id, user_id=enrolment.user_id).delete()

    enqueue_with_change(send_enrolment_confirmation, enrolment_id=enrolment.pk)
    return enrolment


def cancellation_refund(*, enrolment: Enrolment, now: datetime) -> Decimal:
    """What the course's policy gives back if this place is cancelled now: everything until the free
    cancellation period ends, then the late percentage until the start, then nothing. Only a confirmed
    (paid) place has anything to give back."""
    if enrolment.status != Status.CONFIRMED or not enrolment.price_incl_vat:
        return Decimal("0.00")
    course = enrolment.course_date.course
    starts_at = enrolment.course_date.starts_at
    if now >= starts_at:
        percent = 0
    elif now <= starts_at - timedelta(days=course.free_cancellation_days):
        percent = 100
    else:
        percent = course.late_cancellation_refund_percent
    return (enrolment.price_incl_vat * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Cancellation:
    enrolment: Enrolment
    refund: Decimal


@transaction.atomic
def enrolment_cancel(*, enrolment: Enrolment, actor: User | None, now: datetime | None = None,
                     note: str = "", by_office: bool = False, person_told_elsewhere: bool = False) -> Cancellation:
    """Ends a place or waitlist entry, with the refund the policy gives (payments.place_cancel pays it out and
    tells the person how: `person_told_elsewhere`); a freed seat is offered to the next person in line. Once the
    date has started only the office can cancel a place, and a completed place not even the office."""
    now = now or timezone.now()
    course_date, enrolment = _lock_place(enrolment, with_course=True)  # the course's cancellation policy
    if enrolment.status not in Enrolment.ACTIVE:
        raise EnrolmentError(_("This enrolment has already ended."))
    _check_changeable(enrolment, course_date, now, by_office=by_office)
    refund = cancellation_refund(enrolment=enrolment, now=now)
    _transition(enrolment, Status.CANCELLED, at=now, actor=actor, calendar_told_elsewhere=person_told_elsewhere,
                note=_note(note, f"refund {refund}" if refund else ""))
    _settled(course_date, now)
    return Cancellation(enrolment=enrolment, refund=refund)


@transaction.atomic
def waitlist_join(*, course_date: CourseDate, user: User, now: datetime | None = None) -> Enrolment:
    now = now or timezone.now()
    course_date = _lock(course_date)
    _check_open(course_date, now)
    seating = _settled(course_date, now)
    if seating.place_of(user.pk):
        raise EnrolmentError(_("You already have a place on this date or are on its waitlist."))
    _check_not_confirmed_elsewhere(course_date, user, now)
    if seating.free_seat() is not None:
        raise EnrolmentError(_("There are seats left on this date: you can enrol directly."))
    last = max((place.waitlist_position for place in seating.waiting()), default=0)
    enrolment = Enrolment(course_date=course_date, user=user)
    return _transition(enrolment, Status.WAITLISTED, at=now, actor=user, waitlist_position=last + 1)


@transaction.atomic
def offer_accept(*, enrolment: Enrolment, billing: Billing, code: str = "", now: datetime | None = None) -> Enrolment:
    """The person takes the offered seat at the course's current price, less what `code` (a voucher, may be
    empty) takes off: it stays held for them until the offer's deadline while they pay."""
    now = now or timezone.now()
    course_date, enrolment = _lock_place(enrolment, with_course=True)  # the course's current price
    if enrolment.status != Status.OFFERED or enrolment.hold_expires_at <= now:
        raise EnrolmentError(_("This offer is no longer valid."))
    if not course_date.course.price_set:
        raise EnrolmentError(_("Enrolment for this course opens soon."))
    offer = _redeem(course_date, code, seats=1, now=now)
    return _transition(enrolment, Status.HELD, at=now, actor=enrolment.user, terms_accepted_at=now,
                       hold_expires_at=max(enrolment.hold_expires_at, now + hold_duration()),
                       price_incl_vat=offer.price, voucher=offer.voucher, discount_incl_vat=offer.discount,
                       **billing.__dict__)


@transaction.atomic
def offer_decline(*, enrolment: Enrolment, now: datetime | None = None) -> Enrolment:
    now = now or timezone.now()
    course_date, enrolment = _lock_place(enrolment)
    if enrolment.status != Status.OFFERED:
        raise EnrolmentError(_("This offer is no longer valid."))
    _transition(enrolment, Status.DECLINED, at=now, actor=enrolment.user)
    _settled(course_date, now)
    return enrolment


def capacity_check(*, course_date: CourseDate, capacity: int, now: datetime) -> None:
    """A date has 1 to MAX_SEATS_PER_DATE seats, and never fewer than the seats already taken."""

    if not 1 <= capacity <= MAX_SEATS_PER_DATE:
        raise EnrolmentError(_("A date has between 1 and %(max)s seats.") % {"max": MAX_SEATS_PER_DATE})
    taken = seats_taken(course_date=course_date, now=now) if course_date.pk else 0
    if capacity < taken:
        raise EnrolmentError(
            _("%(taken)s seats are already taken; the capacity cannot go below that.") % {"taken": taken}
        )


@transaction.atomic
def course_date_set_capacity(*, course_date: CourseDate, capacity: int, actor: User | None = None,
                             now: datetime | None = None) -> CourseDate:
    """Changes the number of seats; refuses to go below the seats already taken, offers new ones."""
    now = now or timezone.now()
    course_date = _lock(course_date)
    capacity_check(course_date=course_date, capacity=capacity, now=now)
    seating = _seating(course_date, now)
    record(course_date, "course_date.capacity_changed", actor=actor, at=now,
           note=f"{course_date.capacity} → {capacity}")
    course_date.capacity = capacity
    course_date.save(update_fields=["capacity"])
    _offer_free_seats(seating, now)
    return course_date


@transaction.atomic
def course_date_rescheduled(*, course_date: CourseDate, days_before: int, actor: User | None = None,
                            now: datetime | None = None) -> int:
    """The days or the place of a date changed (`days_before`: how many days it had): the calendar events of its
    confirmed participants follow, one sequence higher, and they are told. Returns how many people are told."""
    now = now or timezone.now()
    course_date = _lock(course_date, with_course=False)
    course_date.calendar_sequence += 1
    course_date.save(update_fields=["calendar_sequence"])
    record(course_date, "course_date.rescheduled", actor=actor, at=now,
           note=f"calendar sequence {course_date.calendar_sequence}")
    if course_date.status != CourseDate.Status.SCHEDULED:
        return 0
    told = course_date.enrolments.filter(status=Status.CONFIRMED, user__isnull=False).values_list("pk", flat=True)
    for enrolment_id in told:
        enqueue_with_change(send_date_changed, enrolment_id=enrolment_id, sequence=course_date.calendar_sequence,
                            days_before=days_before)
    return len(told)


def waitlists_process(*, now: datetime | None = None) -> int:
    """The worker's tick: releases holds and offers whose time has passed, and offers free seats (freed
    by an expiry, a cancellation or a raised capacity) to the next in line. Returns the holds released."""
    now = now or timezone.now()
    due = Enrolment.objects.filter(
        Q(status__in=Enrolment.TIMED, hold_expires_at__lte=now) | Q(status=Status.WAITLISTED)
    ).values_list("course_date_id", flat=True)
    released = 0
    for course_date_id in sorted(set(due)):
        with transaction.atomic():
            released += len(_settled(_lock(CourseDate(pk=course_date_id)), now).released)
    return released


def course_dates_complete(*, now: datetime | None = None) -> int:
    """The scheduler's tick: a date whose last meeting day has ended is completed, so lists stop calling it
    planned and nobody can call it off any more. Returns how many dates it completed."""
    now = now or timezone.now()
    completed = 0
    for course_date_id in CourseDate.objects.filter(status=CourseDate.Status.SCHEDULED, ends_at__lte=now
                                                    ).values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            course_date = _lock(CourseDate(pk=course_date_id), with_course=False)
            if course_date.status == CourseDate.Status.SCHEDULED:
                course_date.status = CourseDate.Status.COMPLETED
                course_date.save(update_fields=["status"])
                record(course_date, "course_date.completed", at=now)
                completed += 1
    return completed


def interest_join(*, course: CoursePage, user: User) -> InterestEntry:
    entry, _created = InterestEntry.objects.get_or_create(course=course, user=user)
    return entry


def interest_leave(*, course: CoursePage, user: User) -> None:
    InterestEntry.objects.filter(course=course, user=user).delete()


def dates_announce(*, now: datetime | None = None) -> int:
    """Tells everyone on a course's interest list, once, about each newly scheduled date. For the worker."""

    now = now or timezone.now()
    announced = 0
    due = CourseDate.objects.filter(status=CourseDate.Status.SCHEDULED, announced_at__isnull=True,
                                    starts_at__gt=now)
    for course_date_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            course_date = _lock(CourseDate(pk=course_date_id))
            if course_date.announced_at is not None:
                continue  # another worker was first
            course_date.announced_at = now
            course_date.save(update_fields=["announced_at"])
            for user_id in InterestEntry.objects.filter(course_id=course_date.course_id).values_list("user_id",
                                                                                                     flat=True):
                enqueue_with_change(send_date_announcement, course_date_id=course_date.pk, user_id=user_id)
                announced += 1
    return announced


def attendance_open(day_starts_at: datetime, now: datetime) -> bool:
    """Attendance is registered on the day itself or afterwards, never for a day still to come."""
    return timezone.localdate(day_starts_at) <= timezone.localdate(now)


@transaction.atomic
def attendance_record(*, course_date: CourseDate, present: dict[tuple[int, int], bool], actor: User,
                      now: datetime | None = None) -> int:
    """Saves attendance for (enrolment id, meeting day id) pairs of this date; returns how many records changed
    (a tick that was already there is not a change)."""
    now = now or timezone.now()
    enrolments = {place.pk: place for place in course_date.enrolments.filter(status=Status.CONFIRMED)
                  .select_related("user", "course_date__course")}
    days = dict(course_date.meeting_days.values_list("pk", "starts_at"))
    changed = 0
    for (enrolment_id, day_id), is_present in present.items():
        if enrolment_id not in enrolments or day_id not in days:
            raise EnrolmentError(_("Attendance can only be registered for confirmed participants of this date."))
        if not attendance_open(days[day_id], now):
            raise EnrolmentError(_("Attendance for %(day)s can be registered from that day on, not before.")
                                 % {"day": day(days[day_id])})
        earlier = Attendance.objects.filter(enrolment_id=enrolment_id, meeting_day_id=day_id).first()
        if earlier is not None and earlier.present == is_present:
            continue
        Attendance.objects.update_or_create(
            enrolment_id=enrolment_id, meeting_day_id=day_id,
            defaults={"present": is_present, "recorded_by": actor, "recorded_at": now},
        )
        record(enrolments[enrolment_id], "attendance.recorded", actor=actor, at=now,
               note=f"{day(days[day_id])}: {'present' if is_present else 'absent'}")
        changed += 1
    return changed


def transferable_after_date_cancelled(enrolment: Enrolment, course_date: CourseDate) -> bool:
    """A confirmed (paid) place whose date the office called off may still move to another date, until its
    money has been given back. Only a place the calling-off ended: not one cancelled, swapped or freed before."""
    ended_with_the_date = course_date.cancelled_at is None or (
        enrolment.ended_at is not None and enrolment.ended_at >= course_date.cancelled_at)
    return (enrolment.status == Status.CANCELLED and course_date.status == CourseDate.Status.CANCELLED
            and enrolment.confirmed_at is not None and enrolment.refunded_at is None
            and enrolment.transferred_to_id is None and ended_with_the_date)


@transaction.atomic
def date_cancelled_refund_claim(*, enrolment: Enrolment, actor: User | None, now: datetime | None = None) -> bool:
    """The person whose date was called off takes their money back instead of another date. Under the date's
    lock, so a place is either moved or refunded, never both. False when it was moved or refunded already."""
    now = now or timezone.now()
    course_date, enrolment = _lock_place(enrolment)
    if not transferable_after_date_cancelled(enrolment, course_date):
        return False
    enrolment.refunded_at = now
    enrolment.save(update_fields=["refunded_at"])
    record(enrolment, "enrolment.refund_claimed", actor=actor, at=now, note="refund instead of another date")
    return True


def _lock_both(first: CourseDate, second: CourseDate) -> tuple[CourseDate, CourseDate]:
    """Two dates locked in id order, so that two transfers in opposite directions cannot deadlock."""
    locked = {date.pk: _lock(date) for date in sorted([first, second], key=lambda date: date.pk)}
    return locked[first.pk], locked[second.pk]


@transaction.atomic
def enrolment_transfer(*, enrolment: Enrolment, to_date: CourseDate, actor: User | None,
                       now: datetime | None = None, by_office: bool = False, reason: str = "") -> Enrolment:
    """Moves a confirmed place (or one ended because its date was cancelled) to another date of the same
    course, keeping what was agreed; the seat it leaves goes to the next in line. Once the date has started
    only the office moves a place, with a reason; a completed place never moves.

    Call payments.services.place_transfer, which checks the money and moves the payments along."""
    now = now or timezone.now()
    from_date, to_date = _lock_both(enrolment.course_date, to_date)
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    if enrolment.status != Status.CONFIRMED and not transferable_after_date_cancelled(enrolment, from_date):
        raise EnrolmentError(_("Only a confirmed place can be transferred."))
    if enrolment.transferred_to_id:
        raise EnrolmentError(_("This place has already been transferred."))
    _check_changeable(enrolment, from_date, now, by_office=by_office, moving=True)
    started = enrolment.status == Status.CONFIRMED and from_date.has_started(now)
    if started and not reason.strip():
        raise EnrolmentError(_("Give a reason for moving a place whose date has started."))
    if to_date.course_id != from_date.course_id or to_date.pk == from_date.pk:
        raise EnrolmentError(_("A place can only move to another date of the same course."))
    _check_open(to_date, now)
    to_seating = _settled(to_date, now)
    if to_seating.place_of(enrolment.user_id):
        raise EnrolmentError(_("You already have a place on this date or are on its waitlist."))
    seat = to_seating.free_seat()
    if seat is None:
        raise DateFull(_("This date is full. You can join the waitlist."))
    fields = {name: getattr(enrolment, name) for name in
              ["billing_type", "company_name", "company_address", "company_contact", "company_reference",
               "company_vat_id", "company_kvk", "terms_accepted_at", "price_incl_vat", "booking", "voucher",
               "discount_incl_vat"]}
    moved = _transition(Enrolment(course_date=to_date, user=enrolment.user, **fields), Status.CONFIRMED, at=now,
                        actor=actor, seat=seat, confirmed_at=now,
                        note=_note(f"transferred from date {from_date.pk}", reason))
    enrolment.transferred_to = moved
    if moved.user_id:
        InterestEntry.objects.filter(course_id=to_date.course_id, user_id=moved.user_id).delete()
        enqueue_with_change(send_enrolment_confirmation, enrolment_id=moved.pk)
    if enrolment.status == Status.CONFIRMED:
        _transition(enrolment, Status.CANCELLED, at=now, actor=actor,
                    note=_note(f"transferred to date {to_date.pk}", reason))
        _settled(from_date, now)
    else:
        enrolment.save(update_fields=["transferred_to"])
    return moved


@transaction.atomic
def course_date_cancel(*, course_date: CourseDate, actor: User | None, reason: str = "",
                       now: datetime | None = None) -> list[Cancellation]:
    """The office calls a date off: every place and waitlist entry ends, paid places are due in full,
    and everyone is told, with the course's other dates to transfer to."""

    now = now or timezone.now()
    course_date = _lock(course_date)
    if course_date.status == CourseDate.Status.CANCELLED:
        raise EnrolmentError(_("This date has been cancelled."))
    if course_date.status == CourseDate.Status.COMPLETED:
        raise EnrolmentError(_("This date has taken place; it can no longer be called off."))
    course_date.status, course_date.cancelled_at = CourseDate.Status.CANCELLED, now
    course_date.save(update_fields=["status", "cancelled_at"])
    record(course_date, "course_date.cancelled", actor=actor, at=now, reason=reason)
    cancellations = []
    for enrolment in course_date.enrolments.filter(status__in=Enrolment.ACTIVE).select_related("user"):
        paid = enrolment.status == Status.CONFIRMED
        refund = (enrolment.price_incl_vat or Decimal("0.00")) if paid else Decimal("0.00")
        _transition(enrolment, Status.CANCELLED, at=now, actor=actor, calendar_told_elsewhere=True,
                    note=_note("date cancelled", reason))
        cancellations.append(Cancellation(enrolment=enrolment, refund=refund))
        if enrolment.user_id:  # on the interest list: they hear of the next date, whatever they choose now
            InterestEntry.objects.get_or_create(course_id=course_date.course_id, user_id=enrolment.user_id)
            enqueue_with_change(send_date_cancelled, enrolment_id=enrolment.pk, was_paid=paid)
    return cancellations


def reminders_send(*, now: datetime | None = None) -> int:
    """Reminds every confirmed participant once, REMINDER_DAYS_BEFORE days before their date. For the worker."""

    now = now or timezone.now()
    due = Enrolment.objects.filter(
        status=Status.CONFIRMED, reminded_at__isnull=True, user__isnull=False,
        course_date__status=CourseDate.Status.SCHEDULED, course_date__starts_at__gt=now,
        course_date__starts_at__lte=now + timedelta(days=settings.REMINDER_DAYS_BEFORE),
    )
    sent = 0
    for enrolment_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            # The conditional update claims the reminder: a second worker finds nothing to claim.
            if Enrolment.objects.filter(pk=enrolment_id, reminded_at__isnull=True).update(reminded_at=now):
                enqueue_with_change(send_reminder, enrolment_id=enrolment_id)
                sent += 1
    return sent


@transaction.atomic
def waitlist_move(*, enrolment: Enrolment, to_position: int, actor: User | None,
                  now: datetime | None = None) -> Enrolment:
    """Puts a waiting person at another place in line (1 = next to be offered); the line is renumbered."""
    now = now or timezone.now()
    seating = _seating(_lock(enrolment.course_date), now)
    line = seating.waiting()
    moving = next((entry for entry in line if entry.pk == enrolment.pk), None)
    if moving is None:
        raise EnrolmentError(_("This person is not on the waitlist."))
    line.remove(moving)
    line.insert(max(0, min(to_position - 1, len(line))), moving)
    for position, entry in enumerate(line, start=1):
        if entry.waitlist_position != position:
            entry.waitlist_position = position
            entry.save(update_fields=["waitlist_position"])
    record(moving, "enrolment.waitlist_moved", actor=actor, at=now,
           note=f"moved to position {moving.waitlist_position}")
    _offer_free_seats(seating, now)
    return moving

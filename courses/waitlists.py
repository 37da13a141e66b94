"""Waiting for a seat: joining a full date's waitlist, the offer of a freed seat (accepted or declined), the
office's order of the line, and the worker's tick that releases lapsed holds and makes offers."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.audit import record

from .models import CourseDate, Enrolment
from .seating import (
    Billing,
    EnrolmentError,
    check_not_confirmed_elsewhere,
    check_open,
    code_redeemed,
    date_locked,
    free_seats_offered,
    hold_duration,
    place_locked,
    seating_released,
    seating_settled,
    transition,
)

Status = Enrolment.Status

@transaction.atomic
def waitlist_join(*, course_date: CourseDate, user: User, now: datetime | None = None) -> Enrolment:
    now = now or timezone.now()
    course_date = date_locked(course_date)
    check_open(course_date, now)
    seating = seating_settled(course_date, now)
    if seating.place_of(user.pk):
        raise EnrolmentError(_("You already have a place on this date or are on its waitlist."))
    check_not_confirmed_elsewhere(course_date, user, now)
    if seating.free_seat() is not None:
        raise EnrolmentError(_("There are seats left on this date: you can enrol directly."))
    last = max((place.waitlist_position for place in seating.waiting()), default=0)
    enrolment = Enrolment(course_date=course_date, user=user)
    return transition(enrolment, Status.WAITLISTED, at=now, actor=user, waitlist_position=last + 1)


@transaction.atomic
def offer_accept(*, enrolment: Enrolment, billing: Billing, code: str = "", now: datetime | None = None) -> Enrolment:
    """The person takes the offered seat at the course's current price, less what `code` (a voucher, may be
    empty) takes off: it stays held for them until the offer's deadline while they pay."""
    now = now or timezone.now()
    course_date, enrolment = place_locked(enrolment, with_course=True)  # the course's current price
    if enrolment.status != Status.OFFERED or enrolment.hold_expires_at <= now:
        raise EnrolmentError(_("This offer is no longer valid."))
    if not course_date.course.price_set:
        raise EnrolmentError(_("Enrolment for this course opens soon."))
    offer = code_redeemed(course_date, code, seats=1, now=now)
    return transition(enrolment, Status.HELD, at=now, actor=enrolment.user, terms_accepted_at=now,
                       hold_expires_at=max(enrolment.hold_expires_at, now + hold_duration()),
                       price_incl_vat=offer.price, voucher=offer.voucher, discount_incl_vat=offer.discount,
                       **billing.__dict__)


@transaction.atomic
def offer_decline(*, enrolment: Enrolment, now: datetime | None = None) -> Enrolment:
    now = now or timezone.now()
    course_date, enrolment = place_locked(enrolment)
    if enrolment.status != Status.OFFERED:
        raise EnrolmentError(_("This offer is no longer valid."))
    transition(enrolment, Status.DECLINED, at=now, actor=enrolment.user)
    seating_settled(course_date, now)
    return enrolment



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
            released += len(seating_settled(date_locked(CourseDate(pk=course_date_id)), now).released)
    return released



@transaction.atomic
def waitlist_move(*, enrolment: Enrolment, to_position: int, actor: User | None,
                  now: datetime | None = None) -> Enrolment:
    """Puts a waiting person at another place in line (1 = next to be offered); the line is renumbered."""
    now = now or timezone.now()
    seating = seating_released(date_locked(enrolment.course_date), now)
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
    free_seats_offered(seating, now)
    return moving


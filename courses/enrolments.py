"""A person's own place on a date: holding a seat while they pay, confirming it, cancelling it with what the
policy gives back, and moving it to another date (courses.seating keeps the rules)."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.audit import record
from core.tasks import enqueue_with_change

from .models import BILLING_ADDRESS_FIELDS, CENT, CourseDate, CoursePage, Enrolment, InterestEntry
from .notifications import (
    send_enrolment_confirmation,
)
from .seating import (
    Billing,
    Cancellation,
    DateFull,
    EnrolmentError,
    SeatGone,
    check_changeable,
    check_open,
    code_checked,
    code_redeemed,
    date_locked,
    dates_locked,
    hold_duration,
    note_of,
    place_confirmed,
    place_locked,
    refused_at_first_look,
    seating_released,
    seating_settled,
    transition,
)
from .vouchers import uses_take

Status = Enrolment.Status

def enrolment_hold(*, course_date: CourseDate, user: User, billing: Billing, code: str = "",
                   looked_first: bool = False, now: datetime | None = None) -> Enrolment:
    """Holds a seat for the person while they pay, at the price `code` (a voucher, may be empty) gives. Raises
    DateFull when no seat is free for them, VoucherError (an EnrolmentError) for a code that does not apply.

    In a rush most attempts meet a full date: they are refused on one plain read, without queueing for
    the date's lock; everyone else decides under it. `looked_first`: the caller made that read a moment ago
    (first_look_refusal) and it refused nothing, so it is not made twice."""
    now = now or timezone.now()
    check_open(course_date, now)
    if not looked_first:
        refused_at_first_look(course_date, user, now)
    code_checked(course_date, code, now)
    return _hold(course_date=course_date, user=user, billing=billing, code=code, now=now)


def first_look_refusal(*, course_date: CourseDate, user: User, now: datetime | None = None) -> EnrolmentError | None:
    """What a press of "enrol" is refused for on the first look alone, or None: DateFull when the date's seats are
    all taken by others, which in a rush most presses meet before their form is even read. Anything else it refuses
    is for the form to say (enrolment_hold meets it again there)."""
    now = now or timezone.now()
    try:
        check_open(course_date, now)
        refused_at_first_look(course_date, user, now)
    except EnrolmentError as refusal:
        return refusal
    return None


@transaction.atomic
def _hold(*, course_date: CourseDate, user: User, billing: Billing, code: str, now: datetime) -> Enrolment:
    course = course_date.course  # its price and terms as the person saw them, read with the date
    course_date = date_locked(course_date, with_course=False)
    course_date.course = course
    check_open(course_date, now)
    seating = seating_settled(course_date, now)  # freed seats go to the waitlist before newcomers
    existing = seating.place_of(user.pk)
    if existing:
        if existing.status == Status.HELD:
            return existing  # the same person submitting again: keep their hold
        raise EnrolmentError(_("You already have a place on this date or are on its waitlist."))
    seat = seating.free_seat()
    if seat is None:
        raise DateFull(_("This date is full. You can join the waitlist."))
    offer = code_redeemed(course_date, code, seats=1, now=now)
    enrolment = Enrolment(course_date=course_date, user=user, price_incl_vat=offer.price, voucher=offer.voucher,
                          discount_incl_vat=offer.discount, **billing.__dict__)
    return transition(enrolment, Status.HELD, at=now, actor=user, seat=seat,
                       hold_expires_at=now + hold_duration(), terms_accepted_at=now)


@transaction.atomic
def enrolment_confirm(*, enrolment: Enrolment, actor: User | None = None, now: datetime | None = None) -> Enrolment:
    """Turns a held or offered seat into a confirmed place (after payment, or at once when free of charge).

    Idempotent. A hold that ran out still gets a seat if one is free; otherwise SeatGone.
    """
    now = now or timezone.now()
    course_date, enrolment = place_locked(enrolment)
    if enrolment.status == Status.CONFIRMED:
        return enrolment
    if enrolment.booking_id:
        raise EnrolmentError(_("A booked seat is confirmed with its booking."))  # courses.bookings.booking_confirm
    if enrolment.status in Enrolment.TIMED and enrolment.hold_expires_at > now:
        return place_confirmed(enrolment, at=now, actor=actor)
    if enrolment.status not in (*Enrolment.TIMED, Status.EXPIRED):
        raise EnrolmentError(_("This enrolment can no longer be confirmed."))
    seating = seating_released(course_date, now)
    enrolment = seating.get(enrolment)
    if seating.place_of(enrolment.user_id):
        raise EnrolmentError(_("You already have a place on this date or are on its waitlist."))
    seat = seating.free_seat()
    if seat is None:
        raise SeatGone(_("The seat held for you was released and the date is now full."))
    if enrolment.voucher_id and not uses_take(enrolment.voucher_id, 1):
        raise SeatGone(_("The hold ran out and the last use of your code went to someone else meanwhile."))
    return place_confirmed(enrolment, at=now, actor=actor, seat=seat, ended_at=None,
                      note="confirmed after the hold ran out")


def hold_extend(*, enrolment: Enrolment, until: datetime, now: datetime | None = None) -> Enrolment:
    """Keeps a held seat until `until`, the expiry of the payment page the person is sent to, so the seat
    and the chance to pay end together (Stripe keeps a payment page open for at least 30 minutes).

    Lengthening a live hold changes nobody's seat, so it does not queue for the date's lock (in a rush every
    winner would wait behind the presses deciding under it): one conditional UPDATE of the place's row keeps
    it only while the place is still held and its time has not passed. An expiry deciding under the date's lock
    at the same moment reads the row again under its own lock (seating.seating_released).

    The UPDATE and its audit entry are one transaction, the caller's when it has one, without a savepoint of
    their own (two round trips more for every winner of a rush); a refusal is raised once that block has ended,
    so a caller that catches it keeps its transaction."""
    now = now or timezone.now()
    still_held = Enrolment.objects.filter(pk=enrolment.pk, status=Status.HELD, hold_expires_at__gt=now)
    with transaction.atomic(savepoint=False):
        stretched = still_held.filter(hold_expires_at__lt=until).update(hold_expires_at=until)  # never shortened
        if stretched:
            record(enrolment, "enrolment.hold_extended", at=now,
                   note=f"held until {until.isoformat()} for the payment page")
    if not stretched and not still_held.exists():
        raise EnrolmentError(_("Your seat is no longer held. Please enrol again."))
    if stretched:
        enrolment.hold_expires_at = until
    return enrolment


@transaction.atomic
def hold_release(*, enrolment: Enrolment, note: str, now: datetime | None = None) -> Enrolment:
    """Ends a hold before its time (its payment page expired unpaid); the seat goes to the next in line."""
    now = now or timezone.now()
    course_date, enrolment = place_locked(enrolment)
    if enrolment.status == Status.HELD:
        transition(enrolment, Status.EXPIRED, at=now, actor=None, note=note)
        seating_settled(course_date, now)
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



@transaction.atomic
def enrolment_cancel(*, enrolment: Enrolment, actor: User | None, now: datetime | None = None,
                     note: str = "", by_office: bool = False, person_told_elsewhere: bool = False) -> Cancellation:
    """Ends a place or waitlist entry, with the refund the policy gives (payments.place_cancel pays it out and
    tells the person how: `person_told_elsewhere`); a freed seat is offered to the next person in line. Once the
    date has started only the office can cancel a place, and a completed place not even the office."""
    now = now or timezone.now()
    course_date, enrolment = place_locked(enrolment, with_course=True)  # the course's cancellation policy
    if enrolment.status not in Enrolment.ACTIVE:
        raise EnrolmentError(_("This enrolment has already ended."))
    check_changeable(enrolment, course_date, now, by_office=by_office)
    refund = cancellation_refund(enrolment=enrolment, now=now)
    transition(enrolment, Status.CANCELLED, at=now, actor=actor, calendar_told_elsewhere=person_told_elsewhere,
                note=note_of(note, f"refund {refund}" if refund else ""))
    seating_settled(course_date, now)
    return Cancellation(enrolment=enrolment, refund=refund)



def interest_join(*, course: CoursePage, user: User) -> InterestEntry:
    entry, _created = InterestEntry.objects.get_or_create(course=course, user=user)
    return entry


def interest_leave(*, course: CoursePage, user: User) -> None:
    InterestEntry.objects.filter(course=course, user=user).delete()




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
    course_date, enrolment = place_locked(enrolment)
    if not transferable_after_date_cancelled(enrolment, course_date):
        return False
    enrolment.refunded_at = now
    enrolment.save(update_fields=["refunded_at"])
    record(enrolment, "enrolment.refund_claimed", actor=actor, at=now, note="refund instead of another date")
    return True



@transaction.atomic
def enrolment_transfer(*, enrolment: Enrolment, to_date: CourseDate, actor: User | None,
                       now: datetime | None = None, by_office: bool = False, reason: str = "") -> Enrolment:
    """Moves a confirmed place (or one ended because its date was cancelled) to another date of the same
    course, keeping what was agreed; the seat it leaves goes to the next in line. Once the date has started
    only the office moves a place, with a reason; a completed place never moves.

    Call places.changes.place_move, which checks the money and moves the payments and the coursework along."""
    now = now or timezone.now()
    from_date, to_date = dates_locked(enrolment.course_date, to_date)
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    if enrolment.status != Status.CONFIRMED and not transferable_after_date_cancelled(enrolment, from_date):
        raise EnrolmentError(_("Only a confirmed place can be transferred."))
    if enrolment.transferred_to_id:
        raise EnrolmentError(_("This place has already been transferred."))
    check_changeable(enrolment, from_date, now, by_office=by_office, moving=True)
    started = enrolment.status == Status.CONFIRMED and from_date.has_started(now)
    if started and not reason.strip():
        raise EnrolmentError(_("Give a reason for moving a place whose date has started."))
    if to_date.course_id != from_date.course_id or to_date.pk == from_date.pk:
        raise EnrolmentError(_("A place can only move to another date of the same course."))
    check_open(to_date, now)
    to_seating = seating_settled(to_date, now)
    if to_seating.place_of(enrolment.user_id):
        raise EnrolmentError(_("You already have a place on this date or are on its waitlist."))
    seat = to_seating.free_seat()
    if seat is None:
        raise DateFull(_("This date is full. You can join the waitlist."))
    fields = {name: getattr(enrolment, name) for name in
              ["billing_type", "company_name", *BILLING_ADDRESS_FIELDS, "company_contact", "company_email",
               "company_reference", "company_vat_id", "company_kvk", "terms_accepted_at", "price_incl_vat", "booking",
               "voucher", "discount_incl_vat"]}
    moved = transition(Enrolment(course_date=to_date, user=enrolment.user, **fields), Status.CONFIRMED, at=now,
                        actor=actor, seat=seat, confirmed_at=now,
                        note=note_of(f"transferred from date {from_date.pk}", reason))
    enrolment.transferred_to = moved
    if moved.user_id:
        InterestEntry.objects.filter(course_id=to_date.course_id, user_id=moved.user_id).delete()
        enqueue_with_change(send_enrolment_confirmation, enrolment_id=moved.pk)
    if enrolment.status == Status.CONFIRMED:
        transition(enrolment, Status.CANCELLED, at=now, actor=actor,
                    note=note_of(f"transferred to date {to_date.pk}", reason))
        seating_settled(from_date, now)
    else:
        enrolment.save(update_fields=["transferred_to"])
    return moved


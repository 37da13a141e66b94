"""Seats an organisation books together, and the people who take them.

A booking's seats come from the same Seating, under the same lock on the date, as an individual's hold: all
of them or none. Paid on invoice, they are confirmed at once; paid online, they are held together while the
contact person pays one Stripe Checkout for all of them, and confirmed together when it is paid. A booked
seat is a confirmed place without a participant until the person it was given to accepts it; it then is
their place like any other (their progress, their certificate). The organisation may give a seat to someone
else until the date starts: the old place ends and a fresh one takes its seat, so nobody's progress passes
to another person.
"""

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Membership, Organisation, User
from accounts.services import progress_sharing_set
from core.audit import record
from core.formats import day
from core.tasks import enqueue_with_change

from .enrolments import cancellation_refund
from .models import MAX_SEATS_PER_DATE, BillingType, Booking, CourseDate, Enrolment, InterestEntry, SeatInvitation
from .notifications import send_enrolment_confirmation, send_seat_withdrawn
from .seating import (
    Billing,
    Cancellation,
    DateFull,
    EnrolmentError,
    SeatGone,
    Seating,
    check_not_confirmed_elsewhere,
    check_open,
    code_redeemed,
    date_locked,
    hold_duration,
    place_confirmed,
    place_locked,
    seating_released,
    seating_settled,
    transition,
)
from .selectors import confirmed_place_on_course
from .vouchers import uses_take

Status = Enrolment.Status


def free_seats_message(free: int) -> str:
    """Why a booking of more seats than are free is refused. An organisation's booking has no waitlist (seats
    offered one by one would each need the contact person's answer and payment), so it is not promised."""
    if free == 0:
        return str(_("No seat is free on this date any more. Please choose another date."))
    return ngettext("Only %(free)d seat is free on this date.", "Only %(free)d seats are free on this date.",
                    free) % {"free": free}


def _billing(organisation: Organisation, booked_by: User, reference: str) -> dict:
    return {"billing_type": BillingType.EMPLOYER, "company_name": organisation.name,
            "billing_street": organisation.street, "billing_postcode": organisation.postcode,
            "billing_city": organisation.city, "billing_country": organisation.country,
            "company_contact": booked_by.get_full_name(), "company_email": organisation.invoice_email,
            "company_reference": reference, "company_vat_id": organisation.vat_id}


def _booked_seat(booking: Booking, seat: int, *, at: datetime, actor: User | None, note: str = "",
                 held_until: datetime | None = None) -> Enrolment:
    """A seat of the booking: confirmed, or held until `held_until` while it is paid online."""
    place = Enrolment(course_date=booking.course_date, booking=booking, price_incl_vat=booking.price_incl_vat,
                      voucher=booking.voucher, discount_incl_vat=booking.discount_incl_vat, terms_accepted_at=at,
                      **_billing(booking.organisation, booking.booked_by, booking.reference))
    if held_until:
        return transition(place, Status.HELD, at=at, actor=actor, seat=seat, hold_expires_at=held_until, note=note)
    return transition(place, Status.CONFIRMED, at=at, actor=actor, seat=seat, confirmed_at=at, note=note)


@transaction.atomic
def booking_create(*, course_date: CourseDate, organisation: Organisation, booked_by: User, seats: int,
                   reference: str = "", code: str = "", online: bool = False,
                   now: datetime | None = None) -> Booking:
    """Books `seats` seats on the date for the organisation, each a place still to be named: confirmed at once
    when paid on invoice, held together while paid `online` (booking_confirm confirms them when it is). All or
    nothing: DateFull, saying how many are free, when fewer are."""
    now = now or timezone.now()
    if not 1 <= seats <= MAX_SEATS_PER_DATE:
        raise EnrolmentError(_("Book between 1 and %(max)d seats.") % {"max": MAX_SEATS_PER_DATE})
    if organisation.is_refused:
        raise EnrolmentError(_("The office did not approve this organisation, so it cannot book seats. Please "
                               "contact us."))
    course_date = date_locked(course_date)
    check_open(course_date, now)
    seating = seating_settled(course_date, now)  # freed seats go to the waitlist before a booking
    free = seating.free_seats()
    if len(free) < seats:
        raise DateFull(free_seats_message(len(free)))
    offer = code_redeemed(course_date, code, seats=seats, now=now)
    method = Booking.PaymentMethod.ONLINE if online else Booking.PaymentMethod.INVOICE
    booking = Booking.objects.create(course_date=course_date, organisation=organisation, booked_by=booked_by,
                                     seats=seats, reference=reference, price_incl_vat=offer.price,
                                     voucher=offer.voucher, discount_incl_vat=offer.discount, payment_method=method)
    held_until = now + hold_duration() if online else None
    for seat in free[:seats]:
        _booked_seat(booking, seat, at=now, actor=booked_by, held_until=held_until)
    record(booking, "booking.created", actor=booked_by, at=now, note=f"{seats} × {course_date}, {method.label}")
    return booking


def _held_seats(booking: Booking, course_date: CourseDate, now: datetime) -> list[Enrolment]:
    """The booking's seats still held for its payment (the date locked); EnrolmentError when the hold is over."""
    held = list(booking.places.filter(status=Status.HELD, hold_expires_at__gt=now))
    if len(held) != booking.seats:
        raise EnrolmentError(_("The seats are no longer held. Please book again."))
    for place in held:
        place.course_date = course_date
    return held


@transaction.atomic
def booking_hold_extend(*, booking: Booking, until: datetime, now: datetime | None = None) -> list[Enrolment]:
    """Keeps the booking's held seats until `until`, the expiry of the payment page the contact person is sent
    to (as hold_extend does for one person's seat)."""
    now = now or timezone.now()
    course_date = date_locked(booking.course_date, with_course=False)
    held = _held_seats(booking, course_date, now)
    for place in held:
        if until > place.hold_expires_at:
            place.hold_expires_at = until
            place.save(update_fields=["hold_expires_at"])
    record(booking, "booking.hold_extended", at=now, note=f"held until {until.isoformat()} for the payment page")
    return held


@transaction.atomic
def booking_hold_release(*, booking: Booking, note: str, now: datetime | None = None) -> int:
    """Ends the hold on the booking's seats before its time (the payment page expired unpaid); they go to the
    waitlist first. Returns how many seats were let go."""
    now = now or timezone.now()
    course_date = date_locked(booking.course_date)
    held = list(booking.places.filter(status=Status.HELD))
    for place in held:
        place.course_date = course_date
        transition(place, Status.EXPIRED, at=now, actor=None, note=note)
    if held:
        seating_settled(course_date, now)
    return len(held)


@transaction.atomic
def booking_confirm(*, booking: Booking, actor: User | None = None, now: datetime | None = None) -> list[Enrolment]:
    """Confirms every seat of a booking paid online, all together; idempotent. Seats whose hold ran out are
    seated again when enough are free (and the code still has the uses); otherwise SeatGone and nothing
    changes, so the payment goes back whole rather than buying part of what was ordered."""
    now = now or timezone.now()
    course_date = date_locked(booking.course_date)
    if booking.places.filter(confirmed_at__isnull=False).exists():  # confirmed before (some may be cancelled since)
        return list(booking.places.filter(status=Status.CONFIRMED))
    seating = seating_released(course_date, now)
    held = [place for place in seating.places if place.booking_id == booking.pk and place.status == Status.HELD]
    lapsed = list(booking.places.filter(status=Status.EXPIRED))
    if len(held) + len(lapsed) != booking.seats:
        raise EnrolmentError(_("Some of these seats were cancelled; the booking can no longer be confirmed."))
    free = seating.free_seats()
    if len(free) < len(lapsed):
        raise SeatGone(_("The seats held for this booking were released and the date no longer has room for "
                         "all of them."))
    if lapsed and booking.voucher_id and not uses_take(booking.voucher_id, len(lapsed)):
        raise SeatGone(_("The hold ran out and the code's last uses went to others meanwhile."))
    confirmed = [transition(place, Status.CONFIRMED, at=now, actor=actor, confirmed_at=now) for place in held]
    for place, seat in zip(lapsed, free, strict=False):
        place.course_date = course_date
        confirmed.append(transition(place, Status.CONFIRMED, at=now, actor=actor, confirmed_at=now, seat=seat,
                                     ended_at=None, note="confirmed after the hold ran out"))
    record(booking, "booking.paid", actor=actor, at=now, note=f"{len(confirmed)} seats confirmed")
    return confirmed


@transaction.atomic
def personal_booking_create(*, course_date: CourseDate, user: User, billing: Billing, code: str = "",
                         now: datetime | None = None) -> Enrolment:
    """A person's own place, paid by bank transfer on an invoice: confirmed at once (its payment open), as a
    booking of one seat so the invoice, reminders and the overdue list treat it as any booking."""
    now = now or timezone.now()
    course_date = date_locked(course_date)
    check_open(course_date, now)
    check_not_confirmed_elsewhere(course_date, user, now)
    seating = seating_settled(course_date, now)
    if seating.place_of(user.pk):
        raise EnrolmentError(_("You already have a place on this date or are on its waitlist."))
    free = seating.free_seats()
    if not free:
        raise DateFull(_("This date is full. You can join the waitlist."))
    offer = code_redeemed(course_date, code, seats=1, now=now)
    booking = Booking.objects.create(course_date=course_date, booked_by=user, seats=1,
                                     reference=billing.company_reference, price_incl_vat=offer.price,
                                     voucher=offer.voucher, discount_incl_vat=offer.discount)
    place = Enrolment(course_date=course_date, user=user, booking=booking, price_incl_vat=offer.price,
                      voucher=offer.voucher, discount_incl_vat=offer.discount, terms_accepted_at=now,
                      **billing.__dict__)
    record(booking, "booking.created", actor=user, at=now, note=f"1 × {course_date}, on invoice")
    return place_confirmed(place, at=now, actor=user, seat=free[0])


def _check_nameable(place: Enrolment, course_date: CourseDate, now: datetime) -> None:
    if place.booking_id is None or place.status != Status.CONFIRMED:
        raise EnrolmentError(_("This seat is no longer booked."))
    if course_date.has_started(now):
        raise EnrolmentError(_("This date has started: its seats can no longer be given to someone else."))


def _check_invitable(place: Enrolment, course_date: CourseDate, email: str, now: datetime) -> None:
    """Refuses, when naming, what accepting would refuse later: a person with a place on this date already (or
    invited to another of its seats), or confirmed on another date of the course that has not ended."""
    email = email.strip().lower()
    if (course_date.enrolments.filter(status__in=Enrolment.SEATED, user__email__iexact=email)
            .exclude(pk=place.pk).exists()):  # on its waitlist is fine: taking the seat ends that
        raise EnrolmentError(_("%(email)s already has a place on this date.") % {"email": email})
    if SeatInvitation.objects.filter(enrolment__course_date=course_date, enrolment__status=Status.CONFIRMED,
                                     email=email, accepted_at__isnull=True, withdrawn_at__isnull=True
                                     ).exclude(enrolment=place).exists():
        raise EnrolmentError(_("%(email)s is already invited to another seat on this date. Choose someone else, or "
                               "give that seat to another person first.") % {"email": email})
    person = User.objects.filter(email__iexact=email).first()
    other = person and confirmed_place_on_course(user=person, course_id=course_date.course_id, now=now,
                                                except_date_id=course_date.pk)
    if other:
        raise EnrolmentError(_("%(email)s already has a place on this course on %(date)s: they cannot take a second "
                               "one.") % {"email": email, "date": day(other.course_date.starts_at)})


def _invite(place: Enrolment, *, email: str, name: str, actor: User | None, now: datetime) -> SeatInvitation:
    _check_invitable(place, place.course_date, email, now)
    place.invitations.filter(accepted_at__isnull=True, withdrawn_at__isnull=True).update(withdrawn_at=now)
    invitation = SeatInvitation.objects.create(enrolment=place, email=email.strip().lower(), name=name.strip(),
                                               token=secrets.token_urlsafe(32), invited_by=actor, created_at=now)
    record(place, "enrolment.seat_invited", actor=actor, at=now, note=invitation.email)
    return invitation


@transaction.atomic
def seat_invite(*, place: Enrolment, email: str, name: str = "", actor: User | None,
                now: datetime | None = None) -> SeatInvitation:
    """Gives a seat nobody has taken yet to a person, who accepts it through the invitation; naming it again
    withdraws the earlier invitation."""
    now = now or timezone.now()
    course_date, place = place_locked(place)
    _check_nameable(place, course_date, now)
    if place.user_id:
        raise EnrolmentError(_("This seat already has a participant. To give it to someone else, swap them."))
    return _invite(place, email=email, name=name, actor=actor, now=now)


@transaction.atomic
def seat_swap(*, place: Enrolment, email: str, name: str = "", actor: User | None,
              now: datetime | None = None) -> SeatInvitation:
    """Gives a taken seat to someone else before the date starts: the participant's place ends (their progress
    stays with it), a fresh place takes the seat and is offered to the new person."""
    now = now or timezone.now()
    course_date, place = place_locked(place)
    _check_nameable(place, course_date, now)
    if place.user_id is None:
        return _invite(place, email=email, name=name, actor=actor, now=now)
    if place.user.email.lower() == email.strip().lower():
        raise EnrolmentError(_("This seat is already theirs."))
    seat = place.seat
    transition(place, Status.CANCELLED, at=now, actor=actor, note="seat given to someone else by the organisation")
    place.booking.course_date = course_date
    fresh = _booked_seat(place.booking, seat, at=now, actor=actor, note="swapped in by the organisation")
    return _invite(fresh, email=email, name=name, actor=actor, now=now)


@transaction.atomic
def seat_accept(*, invitation: SeatInvitation, user: User, shares_progress: bool = False,
                now: datetime | None = None) -> Enrolment:
    """The invited person takes the seat: it becomes their place, they join the organisation as a member and
    say whether its contact persons may see their progress. Accepting twice is harmless; another account, a
    withdrawn invitation or a seat that is gone is refused with the reason."""
    now = now or timezone.now()
    course_date, place = place_locked(invitation.enrolment, with_course=True)
    invitation = SeatInvitation.objects.get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        if invitation.accepted_by_id == user.pk:
            return place
        raise EnrolmentError(_("This invitation has already been accepted."))
    if invitation.withdrawn_at is not None or place.status != Status.CONFIRMED or place.user_id is not None:
        raise EnrolmentError(_("This invitation is no longer valid: the seat was given to someone else or "
                               "cancelled. Please ask the person who booked it."))
    if user.email.lower() != invitation.email:
        raise EnrolmentError(_("This invitation is for %(email)s. Log in with that address to accept it.")
                             % {"email": invitation.email})
    if course_date.has_started(now):
        raise EnrolmentError(_("This date has already started."))
    own = Seating(course_date).place_of(user.pk)
    if own is not None and own.status != Status.WAITLISTED:
        raise EnrolmentError(_("You already have a place on this date."))
    check_not_confirmed_elsewhere(course_date, user, now)
    if own is not None:
        transition(own, Status.CANCELLED, at=now, actor=user, note="took a seat booked by the organisation")
    place.user = user
    place.save(update_fields=["user"])
    invitation.accepted_at, invitation.accepted_by = now, user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    membership, _created = Membership.objects.get_or_create(organisation_id=place.booking.organisation_id, user=user)
    progress_sharing_set(membership=membership, shares=shares_progress, now=now)
    record(place, "enrolment.seat_accepted", actor=user, at=now, note=user.email)
    InterestEntry.objects.filter(course_id=course_date.course_id, user=user).delete()
    enqueue_with_change(send_enrolment_confirmation, enrolment_id=place.pk)
    return place


def _withdraw(place: Enrolment, *, at: datetime, actor: User | None, note: str) -> None:
    transition(place, Status.CANCELLED, at=at, actor=actor, note=note, calendar_told_elsewhere=bool(place.user_id))
    place.invitations.filter(accepted_at__isnull=True, withdrawn_at__isnull=True).update(withdrawn_at=at)
    if place.user_id:
        enqueue_with_change(send_seat_withdrawn, enrolment_id=place.pk)


@transaction.atomic
def seat_cancel(*, place: Enrolment, actor: User | None, now: datetime | None = None) -> Cancellation:
    """The organisation cancels one booked seat before the date starts, with what the course's cancellation
    policy gives back on it (payments credits that on the invoice); the seat goes to the waitlist first."""
    now = now or timezone.now()
    course_date, place = place_locked(place, with_course=True)
    _check_nameable(place, course_date, now)
    refund = cancellation_refund(enrolment=place, now=now)
    _withdraw(place, at=now, actor=actor, note=f"cancelled by the organisation; credit {refund}" if refund
              else "cancelled by the organisation")
    seating_settled(course_date, now)
    return Cancellation(enrolment=place, refund=refund)


@transaction.atomic
def booking_release(*, booking: Booking, actor: User | None, now: datetime | None = None,
                    note: str = "released by the office: invoice not paid") -> list[Enrolment]:
    """The office frees every seat of a booking (its invoice was not paid, or the organisation was refused);
    they go to the waitlist first."""
    now = now or timezone.now()
    course_date = date_locked(booking.course_date)
    released = list(booking.places.filter(status__in=Enrolment.SEATED))
    for place in released:
        _withdraw(place, at=now, actor=actor, note=note)
    seating_settled(course_date, now)
    record(booking, "booking.released", actor=actor, at=now, note=f"{len(released)} seats")
    return released


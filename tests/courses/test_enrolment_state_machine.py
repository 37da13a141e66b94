"""A stateful property test: random sequences of enrol (with and without a 2-use code), hold expiry, pay,
cancel, waitlist, offer, accept, decline, capacity change, transfer to another date, an organisation booking
seats (on invoice, or online: paid or left to expire), naming and cancelling them, the date's start,
completion and worker ticks, on a controlled clock, against the invariants."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from wagtail.models import ModelLogEntry

from courses import bookings, enrolments, schedule, seating, selectors, waitlists
from courses.models import Enrolment, Voucher
from payments.models import Invoice, Payment
from payments.selectors import balance
from places import bookings as places_bookings
from places import changes
from tests.factories import UserFactory, catalogue_site, make_course, make_date, make_organisation

Status = Enrolment.Status
PEOPLE = 8


class EnrolmentMachine(RuleBasedStateMachine):
    catalogue = None  # set once per test run: each example gets a course and date of its own
    examples = 0

    def __init__(self):
        super().__init__()
        self.now = timezone.now().replace(microsecond=0)
        EnrolmentMachine.examples += 1
        course = make_course(self.catalogue, slug=f"course-{self.examples}")
        self.date = make_date(course, capacity=3, starts_in=timedelta(days=10), now=self.now)
        self.later = make_date(course, capacity=3, starts_in=timedelta(days=40), now=self.now)  # to move to
        self.people = [UserFactory() for _ in range(PEOPLE)]
        self.join_order = []  # enrolment ids in the order people joined the waitlist
        self.held_at_start = None  # the confirmed places when the date started: only the office changes them
        self.contact = UserFactory()
        self.organisation = make_organisation(self.contact)
        self.voucher = Voucher.objects.create(code=f"TWEE{self.examples}", value=Decimal("10"), max_uses=2)

    def started(self):
        return self.date.has_started(self.now)

    def places(self, *statuses):
        return list(self.date.enrolments.filter(status__in=statuses))

    @rule(person=st.integers(0, PEOPLE - 1))
    def enrol(self, person):
        try:
            enrolments.enrolment_hold(course_date=self.date, user=self.people[person], billing=seating.Billing(),
                                    now=self.now)
        except seating.EnrolmentError:
            pass

    @rule(person=st.integers(0, PEOPLE - 1))
    def enrol_and_pay(self, person):
        """Most people pay at once: paid places free one seat at a time, which tests the queue's order."""
        try:
            held = enrolments.enrolment_hold(course_date=self.date, user=self.people[person],
                                           billing=seating.Billing(), now=self.now)
            enrolments.enrolment_confirm(enrolment=held, now=self.now)
        except seating.EnrolmentError:
            pass

    @rule(person=st.integers(0, PEOPLE - 1))
    def enrol_with_code(self, person):
        try:
            enrolments.enrolment_hold(course_date=self.date, user=self.people[person], billing=seating.Billing(),
                                    code=self.voucher.code.lower(), now=self.now)
        except seating.EnrolmentError:
            pass

    @rule(seats=st.integers(1, 3))
    def organisation_books(self, seats):
        try:
            places_bookings.booking_on_invoice(course_date=self.date, organisation=self.organisation,
                                                booked_by=self.contact, seats=seats, now=self.now)
        except (seating.EnrolmentError, places_bookings.BookingError):
            pass

    @rule(seats=st.integers(1, 3), with_code=st.booleans())
    def organisation_books_to_pay_online(self, seats, with_code):
        try:
            bookings.booking_create(course_date=self.date, organisation=self.organisation, booked_by=self.contact,
                                    seats=seats, online=True, code=self.voucher.code if with_code else "",
                                    now=self.now)
        except seating.EnrolmentError:
            pass

    def online_bookings(self):
        return list(self.date.bookings.filter(payment_method="online").exclude(places__confirmed_at__isnull=False))

    @rule(data=st.data())
    def an_online_booking_is_paid(self, data):
        """What the webhook does when the booking's one Checkout is paid (payments._booking_paid)."""
        unpaid = self.online_bookings()
        if unpaid:
            booking = data.draw(st.sampled_from(unpaid))
            # a booking whose confirmation was refused (its money went back) can be paid again
            Payment.objects.create(booking=booking, amount=booking.seats * booking.price_incl_vat, status="paid",
                                   paid_at=self.now, expires_at=self.now,
                                   checkout_session_id=f"cs_{booking.pk}_{booking.payments.count()}")
            try:
                bookings.booking_confirm(booking=booking, now=self.now)
            except seating.EnrolmentError:
                pass

    @rule(data=st.data())
    def an_online_bookings_payment_page_expires(self, data):
        unpaid = self.online_bookings()
        if unpaid:
            bookings.booking_hold_release(booking=data.draw(st.sampled_from(unpaid)), note="page expired",
                                          now=self.now)

    @rule(data=st.data(), person=st.integers(0, PEOPLE - 1))
    def a_booked_seat_is_named_and_accepted(self, data, person):
        unnamed = self.places(Status.CONFIRMED)
        unnamed = [place for place in unnamed if place.booking_id and not place.user_id]
        if not unnamed:
            return
        place = data.draw(st.sampled_from(unnamed))
        try:
            invitation = bookings.seat_invite(place=place, email=self.people[person].email, actor=self.contact,
                                              now=self.now)
            bookings.seat_accept(invitation=invitation, user=self.people[person], now=self.now)
        except seating.EnrolmentError:
            pass

    @rule(data=st.data())
    def organisation_cancels_a_seat(self, data):
        booked = [place for place in self.places(Status.CONFIRMED) if place.booking_id]
        if not booked:
            return
        try:
            places_bookings.seat_cancel(place=data.draw(st.sampled_from(booked)), actor=self.contact,
                                                 now=self.now)
        except seating.EnrolmentError:
            pass

    @rule(person=st.integers(0, PEOPLE - 1))
    def join_waitlist(self, person):
        try:
            entry = waitlists.waitlist_join(course_date=self.date, user=self.people[person], now=self.now)
        except seating.EnrolmentError:
            return
        self.join_order.append(entry.pk)

    @rule(minutes=st.sampled_from([1, 10, 29, 30, 31, 60, 24 * 60, 48 * 60]))
    def time_passes(self, minutes):
        self.now += timedelta(minutes=minutes)

    @rule()
    def worker_tick(self):
        waitlists.waitlists_process(now=self.now)

    @rule(data=st.data())
    def pay(self, data):
        timed = [place for place in self.places(*Enrolment.TIMED, Status.EXPIRED) if not place.booking_id]
        if timed:
            enrolment = data.draw(st.sampled_from(timed))
            try:
                enrolments.enrolment_confirm(enrolment=enrolment, now=self.now)
            except seating.EnrolmentError:
                pass

    @rule(data=st.data())
    def cancel(self, data):
        active = self.places(*Enrolment.ACTIVE)
        if active:
            enrolment = data.draw(st.sampled_from(active))
            try:
                enrolments.enrolment_cancel(enrolment=enrolment, actor=enrolment.user, now=self.now)
            except seating.EnrolmentError:
                assert enrolment.completed_at or enrolment.booking_id or (
                    enrolment.status == Status.CONFIRMED and self.started())

    @rule(data=st.data())
    def transfer(self, data):
        confirmed = self.places(Status.CONFIRMED)
        if confirmed:
            enrolment = data.draw(st.sampled_from(confirmed))
            try:
                changes.place_move(enrolment=enrolment, to_date=self.later, actor=enrolment.user,
                                        now=self.now)
            except seating.EnrolmentError:
                pass
            else:
                assert not self.started() and not enrolment.completed_at

    @rule()
    def date_starts(self):
        if not self.started():
            self.now = self.date.starts_at + timedelta(minutes=1)
            self.held_at_start = {e.pk for e in self.places(Status.CONFIRMED)}

    @rule(data=st.data())
    def complete(self, data):
        """What the learning app does when every completion rule is met (the date has taken place)."""
        confirmed = self.places(Status.CONFIRMED)
        if confirmed and self.started():
            enrolment = data.draw(st.sampled_from(confirmed))
            Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=self.now)

    @rule(data=st.data(), accept=st.booleans())
    def answer_offer(self, data, accept):
        offers = self.places(Status.OFFERED)
        if offers:
            offer = data.draw(st.sampled_from(offers))
            try:
                if accept:
                    waitlists.offer_accept(enrolment=offer, billing=seating.Billing(), now=self.now)
                else:
                    waitlists.offer_decline(enrolment=offer, now=self.now)
            except seating.EnrolmentError:
                assert offer.hold_expires_at <= self.now  # only a lapsed offer may be refused

    @rule(capacity=st.integers(1, 5))
    def change_capacity(self, capacity):
        try:
            schedule.course_date_set_capacity(course_date=self.date, capacity=capacity, now=self.now)
        except seating.EnrolmentError:
            taken = selectors.seats_taken(course_date=self.date, now=self.now)
            assert capacity < taken
        self.date.refresh_from_db()

    @invariant()
    def a_started_date_keeps_its_places_and_completed_places_never_move(self):
        if self.held_at_start is not None:
            assert self.held_at_start <= {e.pk for e in self.places(Status.CONFIRMED)}
        assert not self.date.enrolments.filter(completed_at__isnull=False).exclude(status=Status.CONFIRMED).exists()
        assert not self.date.enrolments.filter(completed_at__isnull=False, transferred_to__isnull=False).exists()

    @invariant()
    def capacity_never_exceeded(self):
        self.date.refresh_from_db()
        assert selectors.seats_taken(course_date=self.date, now=self.now) <= self.date.capacity

    @invariant()
    def nobody_twice_on_the_date(self):
        users = [e.user_id for e in self.places(*Enrolment.ACTIVE) if e.user_id]
        assert len(users) == len(set(users))

    @invariant()
    def bookings_never_grow_and_each_has_its_invoice(self):
        for booking in self.date.bookings.all():
            assert booking.places.filter(status__in=Enrolment.SEATED).count() <= booking.seats
            if booking.pays_online:
                continue  # invoiced when its payment is (tests/organisations/test_online_booking.py)
            invoice = Invoice.objects.get(booking=booking, kind=Invoice.Kind.INVOICE)
            assert invoice.total == booking.seats * booking.price_incl_vat
            assert balance(invoice).total >= 0  # never credited more than it asked

    @invariant()
    def an_online_booking_is_confirmed_whole_or_not_at_all(self):
        for booking in self.date.bookings.filter(payment_method="online"):
            statuses = list(booking.places.values_list("status", flat=True))
            assert len(statuses) >= booking.seats
            if booking.places.filter(confirmed_at__isnull=False).exists():  # all in one go; some cancelled since
                first = booking.places.filter(confirmed_at__isnull=False).order_by("confirmed_at").first()
                assert booking.places.filter(confirmed_at=first.confirmed_at).count() == booking.seats
            else:
                assert set(statuses) <= {Status.HELD, Status.EXPIRED} and len(statuses) == booking.seats

    @invariant()
    def a_codes_uses_are_its_held_and_paid_places(self):
        self.voucher.refresh_from_db()
        # Unpaid holds that ended gave their use back; a moved place took its use along to the new date.
        counted = Enrolment.objects.filter(Q(status=Status.HELD) | Q(confirmed_at__isnull=False),
                                           voucher=self.voucher, transferred_to__isnull=True).count()
        assert self.voucher.uses == counted <= self.voucher.max_uses

    @invariant()
    def waitlist_order_kept(self):
        """Everyone offered a seat joined before everyone still waiting."""
        waiting = {e.pk for e in self.places(Status.WAITLISTED)}
        offered = {int(pk) for pk in ModelLogEntry.objects.filter(
            action="enrolment.offered", object_id__in=[str(e.pk) for e in self.date.enrolments.all()],
            content_type__model="enrolment").values_list("object_id", flat=True)}
        order = {pk: i for i, pk in enumerate(self.join_order)}
        if waiting and offered:
            assert max(order[pk] for pk in offered) < min(order[pk] for pk in waiting)

    @invariant()
    def every_freed_seat_is_offered_after_a_tick(self):
        """After the worker runs, a free seat and a waiting person never coexist (while offers can be made)."""
        waitlists.waitlists_process(now=self.now)
        free = self.date.capacity - selectors.seats_taken(course_date=self.date, now=self.now)
        if seating.offer_deadline(self.date, self.now) is not None:
            assert not (free > 0 and self.places(Status.WAITLISTED))


@pytest.mark.django_db
def test_enrolment_state_machine():
    EnrolmentMachine.catalogue = catalogue_site().catalogue
    run = EnrolmentMachine.TestCase
    run.settings = settings(max_examples=25, stateful_step_count=40, deadline=None,
                            suppress_health_check=[HealthCheck.too_slow])
    run().runTest()

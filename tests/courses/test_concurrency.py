"""50 people press "enrol" at the same moment on a 10-seat date: exactly 10 get a seat.

Real threads, each with its own database connection, on the same SQLite file or PostgreSQL database
the application uses. The negative control switches the row lock off and shows the race it prevents.
"""

import threading
from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, connections, transaction  # noqa: F401 - connection is read by skipif

from courses import enrolments, seating
from courses.models import Enrolment
from tests.factories import UserFactory, catalogue_site, make_course, make_date

pytestmark = pytest.mark.django_db(transaction=True)


def race(course_date, users) -> Counter:
    barrier = threading.Barrier(len(users))
    outcomes = Counter()
    lock = threading.Lock()

    def attempt(user):
        try:
            barrier.wait()
            enrolments.enrolment_hold(course_date=course_date, user=user, billing=seating.Billing())
            outcome = "held"
        except seating.DateFull:
            outcome = "full"
        except Exception as error:  # noqa: BLE001 - the negative control counts what breaks
            outcome = type(error).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=attempt, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture
def course():
    return make_course(catalogue_site().catalogue, slug="race")


def test_fifty_attempts_on_ten_seats_give_exactly_ten_holds(course):
    course_date = make_date(course, capacity=10)
    users = [UserFactory() for _ in range(50)]

    outcomes = race(course_date, users)

    assert outcomes == Counter(held=10, full=40)
    assert course_date.enrolments.filter(status=Enrolment.Status.HELD).count() == 10
    assert sorted(course_date.enrolments.values_list("seat", flat=True)) == list(range(1, 11))


def test_a_lower_capacity_holds_too(course):
    course_date = make_date(course, capacity=4)
    outcomes = race(course_date, [UserFactory() for _ in range(30)])
    assert outcomes == Counter(held=4, full=26)


@pytest.mark.skipif("connection.vendor == 'sqlite'",
                    reason="SQLite serialises writers at BEGIN IMMEDIATE: there is no row lock to switch off")
def test_negative_control_without_the_row_lock_the_race_happens(course, settings):
    settings.ENROLMENT_LOCKING = False
    observed = []
    for _ in range(5):  # a race is likely, not certain, on any one try
        course_date = make_date(course, capacity=4)
        outcomes = race(course_date, [UserFactory() for _ in range(40)])
        seated = course_date.enrolments.filter(status__in=Enrolment.SEATED).count()
        observed.append((outcomes, seated))
        if seated > 4 or outcomes["IntegrityError"]:
            break
    assert any(seated > 4 or outcomes["IntegrityError"] for outcomes, seated in observed), observed



@pytest.mark.skipif("connection.vendor == 'sqlite'",
                    reason="SQLite serialises every writer: there is no date lock to pass")
def test_stretching_a_hold_to_its_payment_page_does_not_wait_for_the_dates_lock(course):
    """In a rush every winner stretches their hold once Stripe answers; queueing again behind the presses
    still deciding under the date's lock made each winner wait twice."""
    course_date = make_date(course, capacity=10)
    place = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    page_closes = place.hold_expires_at + timedelta(minutes=1)
    locked, stretched = threading.Event(), threading.Event()
    held_the_lock_throughout = []

    def someone_deciding_under_the_lock():
        try:
            with transaction.atomic():
                seating.date_locked(course_date)
                locked.set()
                held_the_lock_throughout.append(stretched.wait(timeout=5))
        finally:
            connections.close_all()

    holder = threading.Thread(target=someone_deciding_under_the_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        enrolments.hold_extend(enrolment=place, until=page_closes)
        stretched.set()
    finally:
        stretched.set()
        holder.join(timeout=30)

    assert held_the_lock_throughout == [True]  # the hold was stretched while the date was locked
    place.refresh_from_db()
    assert place.hold_expires_at == page_closes



@pytest.mark.skipif("connection.vendor == 'sqlite'",
                    reason="SQLite serialises every writer: a stretch cannot fall between an expiry's read and write")
def test_a_hold_stretched_while_an_expiry_decides_under_the_lock_is_not_expired(course):
    """The expiry reads the date's places (the hold's old time has passed by its clock), the person's hold is
    stretched to their payment page in between, then the expiry writes: the stretched hold must stay."""
    course_date = make_date(course, capacity=10)
    place = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    page_closes = place.hold_expires_at + timedelta(hours=1)
    read, stretched = threading.Event(), threading.Event()
    seating_read = seating.Seating.__init__

    def read_then_wait(self, course_date):
        seating_read(self, course_date)
        read.set()
        stretched.wait(timeout=10)

    def expiry_after_the_old_time():
        try:
            with transaction.atomic():
                seating.seating_released(seating.date_locked(course_date), place.hold_expires_at + timedelta(seconds=1))
        finally:
            connections.close_all()

    with mock.patch.object(seating.Seating, "__init__", read_then_wait):
        expiry = threading.Thread(target=expiry_after_the_old_time)
        expiry.start()
        try:
            assert read.wait(timeout=10)
            enrolments.hold_extend(enrolment=place, until=page_closes)
        finally:
            stretched.set()
            expiry.join(timeout=30)

    place.refresh_from_db()
    assert (place.status, place.hold_expires_at) == (Enrolment.Status.HELD, page_closes)

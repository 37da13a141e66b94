"""50 people press "enrol" at the same moment on a 10-seat date: exactly 10 get a seat.

Real threads, each with its own database connection, on the same SQLite file or PostgreSQL database
the application uses. The negative control switches the row lock off and shows the race it prevents.
"""

import threading
from collections import Counter

import pytest
from django.db import connection, connections  # noqa: F401 - connection is read by skipif

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


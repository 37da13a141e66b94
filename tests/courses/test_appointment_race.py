"""A whole group of ten presses "book" on the same coaching time at the same moment: exactly one gets it; one person
booking from five tabs at once gets no more sessions than the course gives.

Real threads, each with its own database connection, on the SQLite file or PostgreSQL database the application
uses. The negative control drops the database's promise (the partial unique constraint `one_person_per_slot`)
and shows the double booking it prevents: nothing else in the service stops it."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from courses import appointments
from courses.appointments import AppointmentError
from courses.models import Appointment
from tests.factories import UserFactory, confirmed_place, make_date, make_trainer
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True)
BOOKED = Appointment.Status.BOOKED


def race(attempts) -> Counter:
    """Runs each (place, slot) booking in a thread of its own, all released at once; counts the outcomes."""
    waiting, lock = list(attempts), threading.Lock()

    def attempt():
        with lock:
            place, slot = waiting.pop()
        try:
            appointments.appointment_book(place=place, slot_id=slot.pk, actor=None)
            return "booked"
        except AppointmentError:
            return "refused"
        except Exception as error:  # noqa: BLE001 - the negative control counts what breaks
            return type(error).__name__

    return Counter(at_once(len(waiting), attempt))


@pytest.fixture
def course_with_sessions(course):
    course.coaching_sessions = 2
    course.save()
    return course


def group_with_times(course, *, people: int, times: int, days_ahead: int = 6):
    """A date of the course with `people` confirmed places and `times` free times of its trainer."""
    course_date = make_date(course, starts_in=timedelta(days=3))
    trainer = make_trainer()
    course_date.trainers.add(trainer)
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=days_ahead)
    slots = appointments.slots_publish(course_date=course_date, trainer=trainer, starts_at=start, count=times,
                                       location="Utrecht", actor=trainer)
    return [confirmed_place(course_date, UserFactory()) for _ in range(people)], slots


def test_a_whole_group_on_one_time_gives_one_session(course_with_sessions):
    places, [slot] = group_with_times(course_with_sessions, people=10, times=1)

    outcomes = race([(place, slot) for place in places])

    assert outcomes == Counter(booked=1, refused=9)
    assert Appointment.objects.filter(slot=slot, status=BOOKED).count() == 1


def test_one_person_in_five_tabs_books_no_more_than_the_course_gives(course_with_sessions):
    [place], slots = group_with_times(course_with_sessions, people=1, times=5)

    outcomes = race([(place, slot) for slot in slots])

    assert outcomes == Counter(booked=2, refused=3)
    assert place.appointments.filter(status=BOOKED).count() == 2


@pytest.mark.skipif("connection.vendor == 'sqlite'",
                    reason="SQLite serialises writers at BEGIN IMMEDIATE: there is no race without the constraint")
def test_negative_control_without_the_constraint_a_time_is_booked_twice(course_with_sessions):
    constraint = next(c for c in Appointment._meta.constraints if c.name == "one_person_per_slot")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Appointment, constraint)
    try:
        observed = []
        for attempt in range(5):  # a race is likely, not certain, on any one try
            places, [slot] = group_with_times(course_with_sessions, people=10, times=1, days_ahead=6 + attempt)
            outcomes = race([(place, slot) for place in places])
            booked = Appointment.objects.filter(slot=slot, status=BOOKED).count()
            observed.append((outcomes, booked))
            if booked > 1:
                break
        assert any(booked > 1 for _outcomes, booked in observed), observed
    finally:
        Appointment.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Appointment, constraint)

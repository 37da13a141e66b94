from datetime import timedelta

import pytest

from courses.models import ModulePage
from tests.factories import (
    UserFactory,
    confirmed_place,
    make_assignment,
    make_date,
    make_quiz,
    make_trainer,
    move_to_yesterday,
)


@pytest.fixture
def classroom(course):
    """A course date that ran yesterday, with a quiz and an assignment, a trainer and one participant."""
    first, second = ModulePage.objects.child_of(course).order_by("path")
    quiz = make_quiz(first)
    assignment = make_assignment(second)
    course_date = make_date(course, starts_in=timedelta(days=3))
    trainer = make_trainer(email="trainer@example.org", full_name="Tineke Trainer")
    course_date.trainers.add(trainer)
    coach = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    place = confirmed_place(course_date, coach)
    day = move_to_yesterday(course_date)
    place.refresh_from_db()
    return type("Classroom", (), {"course": course, "modules": (first, second), "quiz": quiz,
                                  "assignment": assignment, "date": course_date, "trainer": trainer,
                                  "coach": coach, "place": place, "day": day})

"""Two tabs at the same moment: one attempt is started, and a handed-in attempt is scored once.

Real threads with their own database connections, on SQLite or PostgreSQL, as the application runs them."""

import threading
from collections import Counter

import pytest
from django.db import connections

from courses.models import ModulePage
from learning import services
from learning.models import QuizAttempt
from tests.factories import (
    UserFactory,
    catalogue_site,
    confirmed_place,
    make_course,
    make_date,
    make_module,
    make_quiz,
)

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(action, times: int) -> Counter:
    barrier = threading.Barrier(times)
    outcomes, lock = Counter(), threading.Lock()

    def run():
        try:
            barrier.wait()
            outcome = action()
        except services.LearningError:
            outcome = "refused"
        except Exception as error:  # noqa: BLE001 - anything else is a failure the test shows
            outcome = type(error).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def place_and_quiz():
    course = make_course(catalogue_site().catalogue, slug="tabs")
    make_module(course, slug="m")
    quiz = make_quiz(ModulePage.objects.get(slug="m"))
    return confirmed_place(make_date(course), UserFactory()), quiz


def test_starting_in_eight_tabs_at_once_gives_one_attempt(place_and_quiz):
    place, quiz = place_and_quiz
    outcomes = at_once(lambda: services.attempt_start(enrolment=place, quiz=quiz).pk, 8)
    attempt = QuizAttempt.objects.get()
    assert outcomes == Counter({attempt.pk: 8})


def test_handing_in_from_eight_tabs_at_once_is_scored_once(place_and_quiz):
    place, quiz = place_and_quiz
    attempt = services.attempt_start(enrolment=place, quiz=quiz)
    outcomes = at_once(lambda: services.attempt_submit(attempt=attempt, data={}).status, 8)
    assert outcomes == Counter({QuizAttempt.Status.FAILED: 1, "refused": 7})
    assert QuizAttempt.objects.get().status == QuizAttempt.Status.FAILED

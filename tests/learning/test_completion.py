"""Completion rules: met once every input is in, recomputed (and withdrawn) whenever an input changes."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from core.audit import history
from courses import enrolments
from courses.models import CoursePage
from learning import services, signals
from learning import services as learning_services
from learning.models import QuizAttempt
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db


EVALUATION = {"content_rating": 5, "trainer_rating": 4, "organisation_rating": 4, "usefulness_rating": 5,
              "learned": "De driehoek werkgever, werknemer, coach.", "improve": ""}


def pass_quiz(classroom):
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    right = {f"answer-{q['key']}": [str(i) for i, c in enumerate(q["choices"]) if c["correct"]]
             for q in attempt.questions}
    return services.attempt_submit(attempt=attempt, data=right)


def approved_assignment(classroom):
    submission = services.submission_create(enrolment=classroom.place, assignment=classroom.assignment,
                                            upload=SimpleUploadedFile("casus.pdf", pdf_bytes()))
    return services.submission_grade(submission=submission, approved=True, feedback="", actor=classroom.trainer)


def attend(classroom, present=True):
    learning_services.attendance_save(course_date=classroom.date, present={
        (classroom.place.pk, classroom.day.pk): present}, actor=classroom.trainer)


def completed(classroom) -> bool:
    classroom.place.refresh_from_db()
    return classroom.place.completed_at is not None


def test_the_participant_completes_when_the_last_rule_is_met_and_is_told(classroom,
                                                                         django_capture_on_commit_callbacks):
    received = []
    signals.enrolment_completed.connect(lambda sender, enrolment, **kw: received.append(enrolment.pk), weak=False,
                                        dispatch_uid="test-completed")
    try:
        pass_quiz(classroom)
        attend(classroom)
        services.evaluation_submit(enrolment=classroom.place, answers=EVALUATION)
        assert not completed(classroom) and received == []
        with django_capture_on_commit_callbacks(execute=True):
            approved_assignment(classroom)
    finally:
        signals.enrolment_completed.disconnect(dispatch_uid="test-completed")
    assert completed(classroom) and received == [classroom.place.pk]
    assert history(classroom.place).filter(action="enrolment.completed").count() == 1
    assert "Je hebt Basistraining 2e spoorcoaching afgerond" in [message.subject for message in mail.outbox]


def test_recomputing_again_changes_nothing(classroom):
    pass_quiz(classroom)
    attend(classroom)
    services.evaluation_submit(enrolment=classroom.place, answers=EVALUATION)
    approved_assignment(classroom)
    first = classroom.place.__class__.objects.get(pk=classroom.place.pk).completed_at
    for _ in range(3):
        assert services.completion_recompute(enrolment=classroom.place) is True
    classroom.place.refresh_from_db()
    assert classroom.place.completed_at == first
    assert history(classroom.place).filter(action="enrolment.completed").count() == 1


def test_corrected_attendance_withdraws_completion_and_restoring_it_completes_again(classroom):
    withdrawn = []
    signals.completion_withdrawn.connect(lambda sender, enrolment, **kw: withdrawn.append(enrolment.pk),
                                         weak=False, dispatch_uid="test-withdrawn")
    try:
        pass_quiz(classroom)
        attend(classroom)
        services.evaluation_submit(enrolment=classroom.place, answers=EVALUATION)
        approved_assignment(classroom)
        assert completed(classroom)
        attend(classroom, present=False)
        assert not completed(classroom) and withdrawn == [classroom.place.pk]
        attend(classroom, present=True)
        assert completed(classroom)
    finally:
        signals.completion_withdrawn.disconnect(dispatch_uid="test-withdrawn")


def test_regrading_an_assignment_withdraws_completion(classroom):
    pass_quiz(classroom)
    attend(classroom)
    services.evaluation_submit(enrolment=classroom.place, answers=EVALUATION)
    submission = approved_assignment(classroom)
    assert completed(classroom)
    services.submission_grade(submission=submission, approved=False, feedback="Bij nader inzien: te kort.",
                              actor=classroom.trainer)
    assert not completed(classroom)


def test_the_course_decides_which_rules_count(classroom):
    CoursePage.objects.filter(pk=classroom.course.pk).update(
        completion_requires_quizzes=False, completion_requires_assignments=False,
        completion_requires_evaluation=False, completion_attendance_percent=100)
    attend(classroom)
    assert completed(classroom)


def test_a_failed_quiz_does_not_count(classroom):
    CoursePage.objects.filter(pk=classroom.course.pk).update(
        completion_requires_assignments=False, completion_requires_evaluation=False,
        completion_attendance_percent=0)
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    attempt = services.attempt_submit(attempt=attempt, data={})
    assert attempt.status == QuizAttempt.Status.FAILED and not completed(classroom)
    pass_quiz(classroom)
    assert completed(classroom)


def test_the_enrolment_page_shows_what_is_left(client, classroom):
    pass_quiz(classroom)
    client.force_login(classroom.coach)
    html = client.get(f"/enrolments/{classroom.place.pk}/").content.decode()
    assert "Om de opleiding af te ronden" in html
    assert "Toetsen gehaald: 1 / 1" in html and "Opdrachten goedgekeurd: 0 / 1" in html
    assert "Bijeenkomsten bijgewoond: 0 / 1" in html
    assert "Vul de evaluatie in" in html


def test_a_cancelled_place_loses_its_completion(classroom):
    CoursePage.objects.filter(pk=classroom.course.pk).update(
        completion_requires_quizzes=False, completion_requires_assignments=False,
        completion_requires_evaluation=False)
    attend(classroom)
    assert completed(classroom)
    enrolments.enrolment_cancel(enrolment=classroom.place, actor=classroom.trainer, by_office=True)
    classroom.place.refresh_from_db()
    assert classroom.place.completed_at is None

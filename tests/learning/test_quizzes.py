"""Taking a quiz: attempts, limits, time, and nothing that gives the answers away."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from learning import services
from learning.models import QuizAttempt
from learning.scoring import AnswerError

pytestmark = pytest.mark.django_db

RIGHT = {"answer-q1": ["0"], "answer-q2": ["0", "1"], "answer-q3": ["0"]}  # with shuffling off, see QUIZ_QUESTIONS


def answers_for(attempt, *, right: bool) -> dict:
    """Right (or wrong) answers for this attempt's questions, whatever their order."""
    data = {}
    for question in attempt.questions:
        correct = [str(i) for i, choice in enumerate(question["choices"]) if choice["correct"]]
        wrong = [str(i) for i, choice in enumerate(question["choices"]) if not choice["correct"]][:1]
        data[f"answer-{question['key']}"] = correct if right else wrong
    return data


def test_a_coach_fails_retakes_and_passes(client, classroom):
    client.force_login(classroom.coach)
    quiz_url = classroom.quiz.url
    assert "Start de toets" in client.get(quiz_url).content.decode()

    response = client.post(f"/learn/quizzes/{classroom.quiz.pk}/start/")
    attempt = QuizAttempt.objects.get()
    assert response.url == f"/learn/attempts/{attempt.pk}/"
    page = client.get(response.url).content.decode()
    assert "Wanneer start spoor 2?" in page
    for secret in ("correct", "Juist.", "Nee, pas als", "Klopt."):  # neither which is right, nor the feedback
        assert secret not in page

    asked = client.post(response.url, answers_for(attempt, right=False)).content.decode()
    attempt.refresh_from_db()
    assert attempt.is_open and "Nu inleveren?" in asked  # a confirmation first, with the answers kept
    assert asked.count(" checked>") == 3 and 'name="confirmed" value="1"' in asked
    client.post(response.url, {**answers_for(attempt, right=False), "confirmed": "1"})
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score_percent) == (QuizAttempt.Status.FAILED, 0)
    result = client.get(response.url).content.decode()
    assert "Niet gehaald" in result and "Nee, pas als spoor 1 niet lukt." in result

    second = client.post(f"/learn/quizzes/{classroom.quiz.pk}/start/")
    retake = QuizAttempt.objects.get(number=2)
    client.post(second.url, {**answers_for(retake, right=True), "confirmed": "1"})
    retake.refresh_from_db()
    assert (retake.status, retake.score_percent) == (QuizAttempt.Status.PASSED, 100)
    assert "Je hebt deze toets gehaald." in client.get(quiz_url).content.decode()


def test_attempts_beyond_the_limit_are_refused(classroom):
    for _ in range(2):
        attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
        services.attempt_submit(attempt=attempt, data=answers_for(attempt, right=False))
    with pytest.raises(services.LearningError, match="al je pogingen"):
        services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    assert QuizAttempt.objects.count() == 2


def test_no_attempt_after_passing(classroom):
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    services.attempt_submit(attempt=attempt, data=answers_for(attempt, right=True))
    with pytest.raises(services.LearningError):
        services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)


def test_a_second_tab_gets_the_same_attempt_and_cannot_hand_in_twice(client, classroom):
    client.force_login(classroom.coach)
    first = client.post(f"/learn/quizzes/{classroom.quiz.pk}/start/").url
    second = client.post(f"/learn/quizzes/{classroom.quiz.pk}/start/").url
    assert first == second and QuizAttempt.objects.count() == 1
    attempt = QuizAttempt.objects.get()
    client.post(first, {**answers_for(attempt, right=True), "confirmed": "1"})
    response = client.post(second, {**answers_for(attempt, right=False), "confirmed": "1"}, follow=True)
    assert "al ingeleverd" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.PASSED


def test_the_database_refuses_two_attempts_in_progress(classroom):
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizAttempt.objects.create(enrolment=classroom.place, quiz=classroom.quiz, number=2,
                                   questions=attempt.questions, started_at=timezone.now())


def test_a_forged_question_id_is_a_clear_error_and_stores_nothing(client, classroom):
    client.force_login(classroom.coach)
    url = client.post(f"/learn/quizzes/{classroom.quiz.pk}/start/").url
    response = client.post(url, {"answer-q1": "0", "answer-q77": "1"})
    assert response.status_code == 400
    assert "horen niet bij deze toets" in response.content.decode()
    attempt = QuizAttempt.objects.get()
    assert attempt.is_open and attempt.answers == {}


def test_answers_after_the_time_limit_are_refused(classroom):
    classroom.quiz.time_limit_minutes = 10
    classroom.quiz.save()
    start = timezone.now()
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz, now=start)
    assert attempt.deadline_at == start + timedelta(minutes=10)
    late = services.attempt_submit(attempt=attempt, data=answers_for(attempt, right=True),
                                   now=start + timedelta(minutes=11))
    assert (late.status, late.score_percent, late.answers) == (QuizAttempt.Status.TIMED_OUT, 0, {})
    with pytest.raises(services.LearningError):
        services.attempt_submit(attempt=late, data=answers_for(attempt, right=True))


def test_within_the_time_limit_counts(classroom):
    classroom.quiz.time_limit_minutes = 10
    classroom.quiz.save()
    start = timezone.now()
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz, now=start)
    done = services.attempt_submit(attempt=attempt, data=answers_for(attempt, right=True),
                                   now=start + timedelta(minutes=10, seconds=10))
    assert done.status == QuizAttempt.Status.PASSED


def test_shuffling_changes_order_but_not_the_score(classroom):
    classroom.quiz.shuffle = True
    classroom.quiz.save()
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    assert sorted(q["text"] for q in attempt.questions) == sorted(
        block.value["question"] for block in classroom.quiz.questions)
    assert services.attempt_submit(attempt=attempt, data=answers_for(attempt, right=True)).score_percent == 100


def test_an_edited_quiz_leaves_a_started_attempt_as_it_was(classroom):
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    classroom.quiz.questions = [(block.block_type, block.value) for block in classroom.quiz.questions][:1]
    classroom.quiz.save_revision().publish()
    done = services.attempt_submit(attempt=attempt, data=answers_for(attempt, right=True))
    assert done.max_points == 3 and done.score_percent == 100


def test_someone_elses_attempt_is_a_404(client, classroom):
    from tests.factories import UserFactory

    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    client.force_login(UserFactory())
    assert client.get(f"/learn/attempts/{attempt.pk}/").status_code == 404
    assert client.post(f"/learn/attempts/{attempt.pk}/", RIGHT).status_code == 404
    assert client.post(f"/learn/quizzes/{classroom.quiz.pk}/start/").status_code == 404


def test_open_answers_wait_for_the_trainer_who_grades_them(client, classroom):
    classroom.quiz.questions = [("open", {"question": "Wat is jouw rol?", "points": 2, "model_answer": "Coach"})]
    classroom.quiz.pass_mark_percent = 50
    classroom.quiz.save_revision().publish()
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    attempt = services.attempt_submit(attempt=attempt, data={"answer-q1": ["Ik begeleid."]})
    assert attempt.status == QuizAttempt.Status.AWAITING_REVIEW and attempt.score_percent == 0

    client.force_login(classroom.trainer)
    page = client.get(f"/admin/trainer/dates/{classroom.date.pk}/gradebook/").content.decode()
    assert "Open antwoorden in" in page
    url = f"/admin/trainer/dates/{classroom.date.pk}/attempts/{attempt.pk}/"
    assert "Ik begeleid." in client.get(url).content.decode()
    assert client.post(url, {"points-q1": "9"}).status_code == 200  # above the maximum: refused, shown again
    client.post(url, {"points-q1": "1"})
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score_percent, attempt.reviewed_by) == (
        QuizAttempt.Status.PASSED, 50, classroom.trainer)


def test_an_answer_error_never_escapes_as_a_500(classroom):
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    with pytest.raises(AnswerError):
        services.attempt_submit(attempt=attempt, data={"answer-q1": ["x"]})


def test_an_attempt_left_open_past_its_time_shows_as_timed_out(client, classroom):
    classroom.quiz.time_limit_minutes = 5
    classroom.quiz.save()
    attempt = services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz,
                                     now=timezone.now() - timedelta(minutes=10))
    client.force_login(classroom.coach)
    html = client.get(f"/learn/attempts/{attempt.pk}/").content.decode()
    assert "De tijd was om voordat je inleverde" in html and "Lever mijn antwoorden in" not in html
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.TIMED_OUT

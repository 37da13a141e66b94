"""Trainers write quizzes and assignments inside a module in the Wagtail admin."""

import pytest
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import ModulePage
from learning.models import AssignmentPage, QuizPage
from tests.factories import make_trainer


def team_trainer(course):
    """A trainer on the course's team: only they (and the office) add to its modules."""
    trainer = make_trainer()
    course.trainers.add(trainer)
    course.save()
    return trainer

pytestmark = pytest.mark.django_db


def choices(*items):
    """A ListBlock's form data: (text, correct) pairs."""
    data = {"count": str(len(items))}
    for index, (text, correct) in enumerate(items):
        data[str(index)] = {"value": {"text": text, "correct": "on" if correct else "", "feedback": ""},
                            "deleted": "", "order": str(index), "id": ""}
    return data


def quiz_form(*answers):
    return nested_form_data({
        "title": "Toets hechting", "slug": "toets-hechting", "intro": rich_text("<p>Tien minuten.</p>"),
        "questions": streamfield([
            ("single", {"question": "Wat is een veilige basis?", "points": "2", "choices": choices(*answers)}),
            ("true_false", {"question": "Hechting begint bij de geboorte.", "points": "1", "true": "on",
                            "feedback_correct": "", "feedback_incorrect": ""}),
            ("open", {"question": "Geef een voorbeeld.", "points": "3", "model_answer": "Een coach die…"}),
        ]),
        "pass_mark_percent": "70", "max_attempts": "3", "time_limit_minutes": "", "shuffle": "on",
        "action-publish": "1",
    })


def test_trainer_adds_a_quiz_and_a_single_choice_needs_exactly_one_right_answer(client, course):
    client.force_login(team_trainer(course))
    module = ModulePage.objects.child_of(course).first()
    url = f"/admin/pages/add/learning/quizpage/{module.pk}/"

    refused = client.post(url, quiz_form(("Zorgen", True), ("Uitdagen", True)))
    assert refused.status_code == 200 and not QuizPage.objects.exists()
    # Wagtail hands block errors to its editor as JSON, with non-ASCII escaped.
    assert "Markeer precies \\u00e9\\u00e9n antwoord als juist." in refused.content.decode()

    assert client.post(url, quiz_form(("Zorgen én uitdagen", True), ("Alleen zorgen", False))).status_code == 302
    quiz = QuizPage.objects.get()
    assert quiz.live and quiz.get_parent().pk == module.pk
    assert [block.block_type for block in quiz.questions] == ["single", "true_false", "open"]
    assert quiz.shuffle and quiz.max_attempts == 3


def test_trainer_adds_an_assignment_with_a_deadline(client, course):
    client.force_login(team_trainer(course))
    module = ModulePage.objects.child_of(course).first()
    response = client.post(f"/admin/pages/add/learning/assignmentpage/{module.pk}/", nested_form_data({
        "title": "Casus", "slug": "casus", "intro": rich_text("<p>Beschrijf een casus.</p>"), "kind": "file",
        "deadline_days_after_end": "14", "action-publish": "1",
    }))
    assert response.status_code == 302
    assert AssignmentPage.objects.get().deadline_days_after_end == 14

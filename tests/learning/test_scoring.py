"""Quiz scoring on the server: unit cases and properties over any answer set."""

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from learning.scoring import AnswerError, Score, parse_answers, score

QUESTIONS = [
    {"key": "q1", "kind": "single", "text": "?", "points": 2,
     "choices": [{"text": "a", "correct": False, "feedback": ""}, {"text": "b", "correct": True, "feedback": ""}]},
    {"key": "q2", "kind": "multiple", "text": "?", "points": 1,
     "choices": [{"text": "a", "correct": True, "feedback": ""}, {"text": "b", "correct": True, "feedback": ""},
                 {"text": "c", "correct": False, "feedback": ""}]},
    {"key": "q3", "kind": "open", "text": "?", "points": 3, "model_answer": ""},
]


def form(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in fields.items():
        data.setlist(name.replace("_", "-"), values if isinstance(values, list) else [values])
    return data


def test_right_answers_score_full_points_and_open_answers_wait_for_the_trainer():
    answers = parse_answers(QUESTIONS, form(answer_q1="1", answer_q2=["0", "1"], answer_q3="Mijn antwoord"))
    result = score(QUESTIONS, answers)
    assert (result.points, result.max_points, result.pending) == (3, 6, ("q3",))
    assert result.passed(50) is None
    graded = score(QUESTIONS, answers, reviewed={"q3": 2})
    assert (graded.points, graded.percent, graded.passed(80), graded.passed(83)) == (5, 83, True, True)
    assert graded.passed(84) is False


def test_multiple_choice_scores_only_the_exact_set():
    assert score(QUESTIONS, {"q2": [0]}).points == 0
    assert score(QUESTIONS, {"q2": [0, 1, 2]}).points == 0
    assert score(QUESTIONS, {"q2": [0, 1]}).points == 1


def test_unanswered_questions_score_nothing_and_an_empty_open_answer_needs_no_review():
    result = score(QUESTIONS, parse_answers(QUESTIONS, form(answer_q3="   ")))
    assert (result.points, result.pending, result.passed(1)) == (0, (), False)


@pytest.mark.parametrize("fields", [
    {"answer_q9": "0"},  # a question that is not in this attempt
    {"answer_q1": "2"},  # a choice that does not exist
    {"answer_q1": "-1"},
    {"answer_q1": "b"},
    {"answer_q1": ["0", "1"]},  # two answers to a single-choice question
    {"answer_q3": "x" * 5001},
])
def test_forged_or_malformed_answers_are_refused(fields):
    with pytest.raises(AnswerError):
        parse_answers(QUESTIONS, form(**fields))


def test_unrelated_form_fields_are_ignored():
    assert parse_answers(QUESTIONS, form(csrfmiddlewaretoken="x", answer_q1="1")) == {"q1": [1]}


choice = st.fixed_dictionaries({"text": st.just("x"), "correct": st.booleans(), "feedback": st.just("")})


@st.composite
def quizzes(draw):
    questions = []
    for number in range(1, draw(st.integers(1, 8)) + 1):
        kind = draw(st.sampled_from(["single", "multiple", "open"]))
        question = {"key": f"q{number}", "kind": kind, "text": "?", "points": draw(st.integers(1, 10))}
        if kind != "open":
            question["choices"] = draw(st.lists(choice, min_size=2, max_size=6))
        questions.append(question)
    return questions


@st.composite
def quiz_with_answers(draw):
    questions = draw(quizzes())
    answers, reviewed = {}, {}
    for question in questions:
        if question["kind"] == "open":
            if draw(st.booleans()):
                answers[question["key"]] = "antwoord"
                if draw(st.booleans()):
                    reviewed[question["key"]] = draw(st.integers(-5, question["points"] + 5))
        else:
            picked = draw(st.sets(st.integers(0, len(question["choices"]) - 1),
                                  max_size=1 if question["kind"] == "single" else 6))
            if picked:
                answers[question["key"]] = sorted(picked)
    return questions, answers, reviewed


@given(quiz_with_answers(), st.integers(1, 100))
def test_any_answer_set_scores_between_0_and_100_and_pass_agrees_with_the_mark(case, pass_mark):
    questions, answers, reviewed = case
    result = score(questions, answers, reviewed)
    assert isinstance(result, Score)
    assert 0 <= result.points <= result.max_points
    assert 0 <= result.percent <= 100
    passed = result.passed(pass_mark)
    if result.pending:
        assert passed is None
    else:
        assert passed == (result.percent >= pass_mark)

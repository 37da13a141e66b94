"""Quiz scoring, computed on the server only.

When an attempt starts, the quiz's questions are copied into it (`snapshot`), in the order the coach sees
them. Choices are identified by their position in that copy, so the form never carries which answer is
right, and what a coach answered stays readable however the quiz is edited later.
"""

import random
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.forms import ValidationError, clean_text, first_message

MAX_OPEN_ANSWER = 5000


class AnswerError(ValueError):
    """A submission that does not fit the attempt's questions (forged, malformed): nothing is stored."""


def snapshot(questions, *, shuffle: bool, rng: random.Random | None = None) -> list[dict]:
    """The questions as this coach will see them: plain data, shuffled when the quiz says so."""
    rng = rng or random.SystemRandom()
    copied = [_question(block.block_type, block.value) for block in questions]
    if shuffle:
        rng.shuffle(copied)
        for question in copied:
            if question["kind"] == "multiple" or (question["kind"] == "single" and not question["fixed_order"]):
                rng.shuffle(question["choices"])
    for number, question in enumerate(copied, start=1):
        question["key"] = f"q{number}"
        question.pop("fixed_order", None)
    return copied


def _question(block_type: str, value) -> dict:
    base = {"text": value["question"], "points": int(value["points"]), "fixed_order": False}
    if block_type in ("single", "multiple"):
        choices = [{"text": c["text"], "correct": bool(c["correct"]), "feedback": c["feedback"]}
                   for c in value["choices"]]
        return {**base, "kind": block_type, "choices": choices}
    if block_type == "true_false":
        right, wrong = value["feedback_correct"], value["feedback_incorrect"]
        is_true = bool(value["true"])
        choices = [{"text": _("True"), "correct": is_true, "feedback": right if is_true else wrong},
                   {"text": _("False"), "correct": not is_true, "feedback": wrong if is_true else right}]
        return {**base, "kind": "single", "choices": choices, "fixed_order": True}
    return {**base, "kind": "open", "model_answer": value["model_answer"]}


def parse_answers(questions: list[dict], data) -> dict:
    """The coach's answers from a submitted form (a QueryDict or a dict of lists), checked against the
    attempt's own questions. Unanswered questions are simply absent."""
    by_key = {question["key"]: question for question in questions}
    answers = {}
    for name in data:
        if not name.startswith("answer-"):
            continue
        key = name.removeprefix("answer-")
        question = by_key.get(key)
        if question is None:
            raise AnswerError(_("The answers do not belong to this quiz. Reload the page and try again."))
        values = data.getlist(name) if hasattr(data, "getlist") else list(data[name])
        if question["kind"] == "open":
            text = "\n".join(values).strip()
            if len(text) > MAX_OPEN_ANSWER:
                raise AnswerError(_("An answer can be at most %(max)s characters long.") % {"max": MAX_OPEN_ANSWER})
            try:
                text = clean_text(text)
            except ValidationError as error:  # a NUL character
                raise AnswerError(first_message(error)) from None
            if text:
                answers[key] = text
            continue
        try:
            chosen = sorted({int(value) for value in values})
        except (TypeError, ValueError):
            raise AnswerError(_("The answers do not belong to this quiz. Reload the page and try again.")) from None
        if any(not 0 <= index < len(question["choices"]) for index in chosen) or (
                question["kind"] == "single" and len(chosen) > 1):
            raise AnswerError(_("The answers do not belong to this quiz. Reload the page and try again."))
        if chosen:
            answers[key] = chosen
    return answers


@dataclass(frozen=True)
class Score:
    points: int
    max_points: int
    pending: tuple[str, ...]  # keys of open answers that wait for the trainer

    @property
    def percent(self) -> int:
        """Rounded down, so that a shown 70 % passes a 70 % mark and a shown 69 % never does."""
        return self.points * 100 // self.max_points if self.max_points else 0

    def passed(self, pass_mark: int) -> bool | None:
        """None while open answers wait for grading."""
        if self.pending:
            return None
        return self.points * 100 >= pass_mark * self.max_points


def question_correct(question: dict, answer) -> bool:
    correct = [index for index, choice in enumerate(question["choices"]) if choice["correct"]]
    return answer == correct


def score(questions: list[dict], answers: dict, reviewed: dict | None = None) -> Score:
    """Points for automatically marked questions, plus the trainer's points for open answers."""
    reviewed = reviewed or {}
    points, pending = 0, []
    for question in questions:
        answer = answers.get(question["key"])
        if question["kind"] == "open":
            if answer is None:
                continue
            if question["key"] in reviewed:
                points += min(max(int(reviewed[question["key"]]), 0), question["points"])
            else:
                pending.append(question["key"])
        elif answer is not None and question_correct(question, answer):
            points += question["points"]
    return Score(points=points, max_points=sum(q["points"] for q in questions), pending=tuple(pending))

"""Quiz questions as trainers write them. What a coach is asked is copied into the attempt when it starts
(see learning.scoring.snapshot), so editing a quiz never changes an attempt that is under way or done."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError


class AnswerChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("answer"), max_length=300)
    correct = blocks.BooleanBlock(label=_("correct"), required=False)
    feedback = blocks.TextBlock(label=_("feedback when chosen"), required=False, rows=2)

    class Meta:
        icon = "radio-full"
        label = _("answer")


class QuestionBase(blocks.StructBlock):
    question = blocks.TextBlock(label=_("question"), rows=2)
    points = blocks.IntegerBlock(label=_("points"), default=1, min_value=1, max_value=100)


class ChoiceQuestionBlock(QuestionBase):
    choices = blocks.ListBlock(AnswerChoiceBlock(), label=_("answers"), min_num=2, max_num=12)
    multiple = False

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        if self.multiple and correct < 1:
            raise StructBlockValidationError(non_block_errors=[_("Mark at least one answer as correct.")])
        if not self.multiple and correct != 1:
            raise StructBlockValidationError(non_block_errors=[_("Mark exactly one answer as correct.")])
        return value


class SingleChoiceBlock(ChoiceQuestionBlock):
    class Meta:
        icon = "radio-full"
        label = _("Single choice")
        help_text = _("One correct answer.")


class MultipleChoiceBlock(ChoiceQuestionBlock):
    multiple = True

    class Meta:
        icon = "list-ul"
        label = _("Multiple choice")
        help_text = _("Points only when exactly the correct answers are chosen.")


class TrueFalseBlock(QuestionBase):
    question = blocks.TextBlock(label=_("statement"), rows=2)
    true = blocks.BooleanBlock(label=_("the statement is true"), required=False)
    feedback_correct = blocks.TextBlock(label=_("feedback for a correct answer"), required=False, rows=2)
    feedback_incorrect = blocks.TextBlock(label=_("feedback for a wrong answer"), required=False, rows=2)

    class Meta:
        icon = "tick"
        label = _("True or false")


class OpenQuestionBlock(QuestionBase):
    model_answer = blocks.TextBlock(
        label=_("model answer"), required=False, rows=3,
        help_text=_("Shown to the trainer when grading, and to the participant after grading."),
    )

    class Meta:
        icon = "edit"
        label = _("Open question")
        help_text = _("The trainer grades the answer.")


class QuestionsBlock(blocks.StreamBlock):
    single = SingleChoiceBlock()
    multiple = MultipleChoiceBlock()
    true_false = TrueFalseBlock()
    open = OpenQuestionBlock()

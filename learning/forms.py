from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Evaluation

RATING_CHOICES = [(value, str(value)) for value in range(1, 6)]


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = [*Evaluation.RATINGS, "learned", "improve"]
        widgets = {
            **{name: forms.RadioSelect(choices=RATING_CHOICES) for name in Evaluation.RATINGS},
            "learned": forms.Textarea(attrs={"rows": 4}),
            "improve": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {name: _("1 = poor, 5 = excellent") for name in Evaluation.RATINGS}

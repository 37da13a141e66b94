"""Text that people type, checked the same way everywhere: views that read a single field from a POST use
clean_text, forms use Django's CharField (which does the same). A NUL character (which PostgreSQL refuses) or
text longer than its column is a message in the person's language, never a 500."""

from django import forms
from django.core.exceptions import ValidationError

from .converters import parse_id

__all__ = ["IdChoiceField", "IdsChoiceField", "ValidationError", "clean_text", "first_message"]


def clean_text(value, *, max_length: int | None = None, required: bool = False) -> str:
    """The stripped text, or ValidationError with the reason (too long, a NUL character, missing)."""
    return forms.CharField(max_length=max_length, required=required).clean(value)


def first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else str(error)


class IdChoiceField(forms.ModelChoiceField):
    """A choice of a model by its id that takes no more than an id (at most 18 digits) to the database: anything
    else is "not one of the choices" (SQLite refuses numbers past 2^63 with an OverflowError)."""

    def to_python(self, value):
        if value not in self.empty_values and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """The same for several."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": str(pk)[:20]})
        return super()._check_values(value)

"""Text that people type, checked the same way everywhere: views that read a single field from a POST use
clean_text, forms use Django's CharField (which does the same). A NUL character (which PostgreSQL refuses) or
text longer than its column is a message in the person's language, never a 500."""

from django import forms
from django.core.exceptions import ValidationError

__all__ = ["ValidationError", "clean_text", "first_message"]


def clean_text(value, *, max_length: int | None = None, required: bool = False) -> str:
    """The stripped text, or ValidationError with the reason (too long, a NUL character, missing)."""
    return forms.CharField(max_length=max_length, required=required).clean(value)


def first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else str(error)

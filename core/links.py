from django.conf import settings
from django.utils.translation import get_language_from_path


def absolute_url(path: str) -> str:
    """A path on this site as a full URL, for emails, PDFs and credentials that are read away from the site."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def in_language(path: str, language: str) -> str:
    """The same page in another language: our paths are the same in every language, only the prefix differs
    (none for Dutch, /en/ for English)."""
    current = get_language_from_path(path)
    if current:
        path = path[len(current) + 1:] or "/"
    return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"

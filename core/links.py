from django.conf import settings


def absolute_url(path: str) -> str:
    """A path on this site as a full URL, for emails, PDFs and credentials that are read away from the site."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path

"""The local demo (`make run`): SQLite, emails printed to the console, demo accounts allowed."""

from .base import *

DEBUG = True
SECRET_KEY = "dev-only-not-secret-7f3a9c"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

"""The local demo (`make run`): SQLite, emails printed to the console, demo accounts allowed."""

import os

from .base import *

DEBUG = True
DEMO = True
SECRET_KEY = "dev-only-not-secret-7f3a9c"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Anonymous pages from the cache stay off here: a template edited while developing shows at once
# (PAGE_CACHE=on tries it; tests and production have it on).
PAGE_CACHE = os.environ.get("PAGE_CACHE", "off") == "on"

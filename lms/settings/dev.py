"""The local demo (`make run`): SQLite, emails printed to the console, demo accounts allowed. It runs as its users
will see it, with DEBUG off (styled error pages, never a traceback); `DEBUG=on make run` while developing."""

import os

from .base import *

DEBUG = os.environ.get("DEBUG", "off") == "on"
DEMO = True
SECRET_KEY = "dev-only-not-secret-7f3a9c"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# Links read away from the site (emails, the certificate's QR code, LinkedIn, Open Badges) point at the port the
# demo runs on (`PORT=8080 make run`).
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
EMAIL_BACKEND = "core.demo_mail.ReadableConsoleBackend"  # every mail in the terminal, as a person reads it
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SERVE_MEDIA = True  # CMS images from the local folder; production serves them from object storage or the proxy
# Anonymous pages from the cache stay off here: a template edited while developing shows at once
# (PAGE_CACHE=on tries it; tests and production have it on).
PAGE_CACHE = os.environ.get("PAGE_CACHE", "off") == "on"

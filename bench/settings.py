"""Benchmarks run the test settings, but queue background work in the database as production does (the
test settings run tasks inline, which would make a webhook render invoices and send mail in the request)."""

import os

from lms.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Files a benchmark writes (certificates) go where it says, and every worker process agrees on the place.
STORAGES["private"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",  # noqa: F405
                       "OPTIONS": {"location": os.environ.get("PRIVATE_MEDIA_ROOT", str(BASE_DIR / ".bench-private"))}}  # noqa: F405
CERTIFICATE_VERIFY_LIMIT_PER_MINUTE = 10**9  # one client address sends every request

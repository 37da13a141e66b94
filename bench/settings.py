"""Benchmarks run the test settings, but queue background work in the database as production does (the
test settings run tasks inline, which would make a webhook render invoices and send mail in the request)."""

import os

from lms.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Files a benchmark writes (invoices, certificates) go to the directory bench.common.django_setup chose, which
# every worker process inherits.
STORAGES["private"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",  # noqa: F405
                       "OPTIONS": {"location": os.environ["PRIVATE_MEDIA_ROOT"]}}
CERTIFICATE_VERIFY_LIMIT_PER_MINUTE = 10**9  # one client address sends every request

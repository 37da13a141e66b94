"""Benchmarks run the test settings, but queue background work in the database as production does (the
test settings run tasks inline, which would make a webhook render invoices and send mail in the request)."""

from lms.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

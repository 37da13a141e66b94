"""Settings for a real `manage.py db_worker` process started by a test: the test's database, the database task
queue as in production, and mail to the test's SMTP server on loopback."""

import os

from lms.settings.base import database_config
from lms.settings.test import *  # noqa: F403

# With the options every process needs (SQLite: take the write lock at BEGIN and wait for it): two workers and
# the test write at once.
DATABASES = {"default": database_config(os.environ["WORKER_DATABASE_URL"])}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST, EMAIL_PORT, EMAIL_TIMEOUT = "127.0.0.1", int(os.environ["WORKER_SMTP_PORT"]), 60
STRIPE_API_BASE = os.environ.get("WORKER_STRIPE_API_BASE", STRIPE_API_BASE)  # noqa: F405 (the test's Stripe double)

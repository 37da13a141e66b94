"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL points at one."""

import os

from .base import *

DEBUG = False
SECRET_KEY = "test-only-not-secret-2b81d"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WAGTAILADMIN_BASE_URL = "http://testserver"
ACCOUNT_RATE_LIMITS = False
# One media folder per pytest-xdist worker: tests that list a folder or make it unwritable stay apart.
MEDIA_ROOT = BASE_DIR / ".test-media" / (os.environ.get("PYTEST_XDIST_WORKER") or "main")
STORAGES["private"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                       "OPTIONS": {"location": str(MEDIA_ROOT / "private")}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# SQLite tests use a file, not memory: the live server's threads then get connections of their own, as in
# production, and concurrency tests can open several connections to the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    import tempfile

    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"spoor2-test-{os.getpid()}.sqlite3")}

STRIPE_MAX_NETWORK_RETRIES = 0
STRIPE_TIMEOUT_SECONDS = 2

# The cache: each test starts with an empty one (tests/conftest.py). With CACHE_URL (the PostgreSQL pass of
# `make test` starts a Redis), each pytest-xdist worker has a Redis database of its own.
if os.environ.get("CACHE_URL"):
    from urllib.parse import urlsplit

    _worker = int((os.environ.get("PYTEST_XDIST_WORKER") or "gw0").removeprefix("gw"))
    CACHES = redis_caches(urlsplit(os.environ["CACHE_URL"])._replace(path=f"/{_worker + 1}").geturl())
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

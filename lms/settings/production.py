"""Production: every secret and host from the environment; refuses to start without them."""

import os
from urllib.parse import unquote, urlsplit

from .base import *


def required_env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ValueError(f"You must set the {name} environment variable for production.")
    return value


DEBUG = False
SECRET_KEY = required_env("SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in required_env("ALLOWED_HOSTS").split(",") if host.strip()]
CSRF_TRUSTED_ORIGINS = [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS]
DATABASES = {"default": database_from_env(required_env("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))  # reuse connections

WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", f"https://{ALLOWED_HOSTS[0].lstrip('.')}")

# Email: EMAIL_URL like smtp+tls://user:password@smtp.example.org:587
_email = urlsplit(required_env("EMAIL_URL"))
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = _email.hostname or ""
EMAIL_PORT = _email.port or 587
EMAIL_HOST_USER = unquote(_email.username or "")
EMAIL_HOST_PASSWORD = unquote(_email.password or "")
EMAIL_USE_TLS = _email.scheme == "smtp+tls"
EMAIL_USE_SSL = _email.scheme == "smtps"
DEFAULT_FROM_EMAIL = required_env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Stripe keys are required here so a misconfigured deploy fails at start, not at the first payment.
STRIPE_SECRET_KEY = required_env("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = required_env("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
# The payment button's redirect goes to Stripe's own Checkout page (the policies in base point at the double).
STRIPE_CHECKOUT_ORIGIN = os.environ.get("STRIPE_CHECKOUT_ORIGIN", "https://checkout.stripe.com")
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"],
                                          "form-action": [SELF, STRIPE_CHECKOUT_ORIGIN]}}
CONTENT_SECURITY_POLICY_ADMIN = {"DIRECTIVES": {**CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"],
                                                "form-action": [SELF, STRIPE_CHECKOUT_ORIGIN]}}
STRIPE_TEST_MODE = not STRIPE_SECRET_KEY.startswith("sk_live_")
if DEMO and not STRIPE_TEST_MODE:
    raise ValueError("DEMO creates accounts with a published password: never with live Stripe keys.")
CERTIFICATE_SIGNING_KEY = required_env("CERTIFICATE_SIGNING_KEY")

# Shared state lives outside the process so app servers can scale out.
if os.environ.get("CACHE_URL"):
    CACHES = redis_caches(os.environ["CACHE_URL"])
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "cache_table"}}

# The task queue: the database (django-tasks-db, `manage.py db_worker`) unless TASKS_QUEUE_URL names a Redis
# (django-tasks-rq, `manage.py rqworker --job-class django_tasks_rq.Job default`; pip install '.[rq]').
if os.environ.get("TASKS_QUEUE_URL"):
    INSTALLED_APPS = [*INSTALLED_APPS, "django_rq", "django_tasks_rq"]
    # A task may run as long as the database queue allows it (RQ's own default is 3 minutes).
    RQ_QUEUES = {"default": {"URL": os.environ["TASKS_QUEUE_URL"], "DEFAULT_TIMEOUT": int(TASK_LEASE_MINUTES * 60)}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

# The office and superusers sign in with a second factor before they reach the admin (OFFICE_REQUIRES_TWO_FACTOR=off
# only where another login in front of the admin asks for one).
OFFICE_REQUIRES_TWO_FACTOR = os.environ.get("OFFICE_REQUIRES_TWO_FACTOR", "on") != "off"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() == "true"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

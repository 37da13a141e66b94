"""Settings shared by every environment. Environment-specific files import from here."""

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSTALLED_APPS = [
    "core",
    "csp",
    "home",
    "operations",
    "office",
    "demo",
    "accounts",
    "courses",
    "payments",
    "learning",
    "certification",
    "places",
    "organisations",
    "registers",
    "privacy",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.users_app.UsersAppConfig",  # wagtail.users, with the fields we store about a person
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "wagtail.contrib.sitemaps",
]

MIDDLEWARE = [
    "core.page_cache.PageCacheMiddleware",  # outermost: a stored page went through all the others
    "core.page_cache.RequestVersions",  # the shared parts' versions, read once per request
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.OfficeTwoFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "core.middleware.TemporarilyUnavailableMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "home.context_processors.navigation",
            ],
        },
    },
]


def database_from_env(default_url: str) -> dict:
    """One database from DATABASE_URL (see database_config)."""
    return database_config(os.environ.get("DATABASE_URL", default_url))


def database_config(url: str) -> dict:
    """One database, with the options each engine needs under concurrent writers.

    SQLite takes its write lock at BEGIN (IMMEDIATE) so parallel writers queue instead of failing,
    and waits for the lock rather than raising "database is locked" at once.
    """
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    else:
        # Django's PostgreSQL backend, whose check of a kept connection at the start of a request looks at the
        # socket for the server's goodbye instead of sending SELECT 1 (core/postgresql/base.py).
        config["ENGINE"] = "core.postgresql"
        config["CONN_HEALTH_CHECKS"] = True
        # A database that does not answer (restarting, a failover) fails the request in seconds, with a 503
        # (core.middleware), instead of holding the app server until the operating system gives up.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
        # A kept connection whose server vanished without a goodbye is found by TCP keepalives within a minute
        # (the check before each request looks for a goodbye only: core/postgresql/base.py).
        for option, value in (("keepalives", 1), ("keepalives_idle", 30), ("keepalives_interval", 10),
                              ("keepalives_count", 3)):
            config["OPTIONS"].setdefault(option, value)
        # Parameters bound by the server, so psycopg prepares a statement a connection runs often (its fifth
        # time): PostgreSQL then skips planning it, which took longer than running the small reads every request
        # makes (0.2-0.9 ms against 0.03-0.1 ms). Not for a transaction-pooling bouncer (docs/deployment.md).
        config["OPTIONS"].setdefault("server_side_binding", True)
        config["OPTIONS"].setdefault("prepare_threshold", 5)
    return config


DATABASES = {"default": database_from_env(f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, reading the menu's facts with the person (accounts.backends)
    "accounts.backends.PasswordBackend",
    "accounts.backends.EmailBackend",
]

# Internationalisation: Dutch first, English second. Dutch URLs carry no prefix, English ones /en/.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"


def storage_from_url(url: str, *, private: bool) -> dict:
    """An S3 bucket (AWS or any S3-compatible store) as a storage: `s3://bucket/prefix?endpoint_url=…&region_name=…`
    (`custom_domain=…` for public files behind a CDN). Keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or
    the machine's role. Private files are read through the app or a signed address valid for a minute."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"A storage URL looks like s3://bucket/prefix?endpoint_url=…, not {url!r}")
    query = dict(parse_qsl(parts.query))
    options = {"bucket_name": parts.netloc, "location": parts.path.strip("/"), "file_overwrite": False,
               "endpoint_url": query.get("endpoint_url"), "region_name": query.get("region_name"),
               "signature_version": "s3v4", "addressing_style": query.get("addressing_style", "path"),
               "querystring_auth": private, "querystring_expire": 60, "default_acl": None,  # the bucket's policy
               "custom_domain": query.get("custom_domain")}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    # Images and documents of the CMS: a folder here, a bucket (MEDIA_STORAGE_URL) where several servers run.
    "default": (storage_from_url(os.environ["MEDIA_STORAGE_URL"], private=False)
                if os.environ.get("MEDIA_STORAGE_URL") else
                {"BACKEND": "django.core.files.storage.FileSystemStorage"}),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Invoices and other documents about people: never under MEDIA_URL, served only through views that check
    # who asks. A folder here; a private bucket (PRIVATE_STORAGE_URL) where several servers run.
    # (Documents are served through Wagtail's view, which checks their collection's privacy, wherever they are.)
    "private": (storage_from_url(os.environ["PRIVATE_STORAGE_URL"], private=True)
                if os.environ.get("PRIVATE_STORAGE_URL") else
                {"BACKEND": "django.core.files.storage.FileSystemStorage",
                 "OPTIONS": {"location": os.environ.get("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media"))}}),
}
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # never a redirect to the bucket: a document behind a login stays there
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
ASSIGNMENT_MAX_UPLOAD_MB = int(os.environ.get("ASSIGNMENT_MAX_UPLOAD_MB", "10"))
# The provider's Ed25519 key for Open Badges credentials: 32 random bytes, base64 (see docs/deployment.md).
# Empty outside production: a key is derived from SECRET_KEY, fine for a demo, never for real credentials.
CERTIFICATE_SIGNING_KEY = os.environ.get("CERTIFICATE_SIGNING_KEY", "")
CERTIFICATE_VERIFY_LIMIT_PER_MINUTE = 30  # verification page requests per client address
# Proxies (load balancers) in front of the app that append to X-Forwarded-For; 0 trusts none of it.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # allauth's login rate limits count the same addresses

SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the shared cache (Redis in production), with the page cache's versions, and written
# through to the database.
SESSION_ENGINE = "core.sessions"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views allow same-origin framing themselves.


# Email
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Spoor 2 Academy <noreply@spoor2academy.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_USE_LOCALTIME = True  # Date: with the Dutch offset, not "-0000" (origin unknown)

# django-allauth: email is the login; a verified address is required before the first login.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
# A logged-in person without admin access who opens /admin/ is sent to the login page; it must show
# (with the reason), not bounce back to /admin/ in a loop.
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Spoor 2 Academy] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Two-factor sign-in (an authenticator app's codes, with recovery codes), for everyone who switches it on.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Spoor 2 Academy"
# Those who can move money or erase accounts (the office, superusers) reach the admin only with it switched on:
# on by default in production (settings.production), optional in the demo and the tests.
OFFICE_REQUIRES_TWO_FACTOR = os.environ.get("OFFICE_REQUIRES_TWO_FACTOR", "off") == "on"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "courses:my_courses"  # where a coach goes on; `next` (where they came from) wins
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

# Wagtail
WAGTAIL_SITE_NAME = "Spoor 2 Academy"
# One login for everyone (rate limited, email verification enforced): the admin sends people to it.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"  # a page for logged-in visitors only sends them there
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
# The admin dashboard would ask releases.wagtail.org for a newer version (and the CSP refuses it); upgrades are
# ours to plan, from the changelog.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("nl", "Nederlands")]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "xlsx", "ods", "pptx", "odp", "txt"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no email hashes to a third party; the admin shows its own avatar
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False  # passwords are managed through the site's own account pages
WAGTAILUSERS_PASSWORD_ENABLED = False  # the office never types a person's password: they set it themselves
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# The demo (`make run`): demo accounts with a published password, dates and places. Never on a real site.
DEMO = os.environ.get("DEMO", "").lower() in ("1", "true", "yes")

# Enrolment: how long a seat is held while someone pays, and how long a waitlist offer stands.
ENROLMENT_HOLD_MINUTES = int(os.environ.get("ENROLMENT_HOLD_MINUTES", "30"))
WAITLIST_OFFER_HOURS = int(os.environ.get("WAITLIST_OFFER_HOURS", "48"))
# Days a person whose date was called off has to choose another date before their money is refunded.
DATE_CANCELLED_CHOICE_DAYS = int(os.environ.get("DATE_CANCELLED_CHOICE_DAYS", "7"))
REMINDER_DAYS_BEFORE = int(os.environ.get("REMINDER_DAYS_BEFORE", "2"))
ENROLMENT_LOCKING = True  # the row lock on a date; only the concurrency tests' negative control turns it off

# Stripe: the demo and the tests talk to the Stripe test double (payments/stripe_double.py) on loopback;
# production sets real keys and leaves STRIPE_API_BASE at Stripe's.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "sk_test_double")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_double")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "http://127.0.0.1:12111")
STRIPE_MAX_NETWORK_RETRIES = int(os.environ.get("STRIPE_MAX_NETWORK_RETRIES", "2"))
STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "20"))
# A banner on every page says payments are not real, unless the keys are Stripe's live ones.
STRIPE_TEST_MODE = not STRIPE_SECRET_KEY.startswith("sk_live_")

# PE-online (Xaurum), where registers such as Registerplein take attendance: the provider's webservice account
# and, per register, its orgID ("registerplein=1234,sra=5678"). Until all are set, attendance is exported as a
# list or XML file and entered by hand; the demo and the tests talk to registers/pe_online_double.py.
PE_ONLINE_URL = os.environ.get("PE_ONLINE_URL", "")
PE_ONLINE_USER_ID = os.environ.get("PE_ONLINE_USER_ID", "")
PE_ONLINE_USER_KEY = os.environ.get("PE_ONLINE_USER_KEY", "")
PE_ONLINE_ORG_IDS = dict(pair.split("=", 1) for pair in os.environ.get("PE_ONLINE_ORG_IDS", "").split(",")
                         if "=" in pair)
# Registers want attendance within two months after the date; the office is reminded this many days after it.
PE_ONLINE_REMINDER_DAYS = int(os.environ.get("PE_ONLINE_REMINDER_DAYS", "14"))

# Retention (docs/privacy.md): accounts never confirmed, files handed in (months after the date), and
# evaluations' link to the person (NOBCO keeps evaluations at least two years). Data exports last 7 days.
RETENTION_UNCONFIRMED_DAYS = int(os.environ.get("RETENTION_UNCONFIRMED_DAYS", "30"))
RETENTION_ASSIGNMENT_FILES_MONTHS = int(os.environ.get("RETENTION_ASSIGNMENT_FILES_MONTHS", "12"))
RETENTION_EVALUATION_YEARS = int(os.environ.get("RETENTION_EVALUATION_YEARS", "2"))
# Notes trainers keep about 1:1 coaching sessions, counted from the session.
RETENTION_COACHING_NOTES_MONTHS = int(os.environ.get("RETENTION_COACHING_NOTES_MONTHS", "12"))

# Background work: Django's Tasks API, stored in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task still RUNNING after this long lost its worker (killed, out of memory): it is queued again. Every
# one-off task here takes seconds and is safe to run twice.
TASK_LEASE_MINUTES = float(os.environ.get("TASK_LEASE_MINUTES", "10"))
# A failed one-off task is enqueued again after each of these pauses in turn, then given up (operations.retries).
TASK_RETRY_AFTER_SECONDS = [60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600]
# /healthz/ reports the scheduler or the worker as stale when not heard from for this long (ten ticks).
HEARTBEAT_STALE_SECONDS = int(os.environ.get("HEARTBEAT_STALE_SECONDS", "300"))

# The cache is shared by every process (web servers, task workers): anonymous pages (core.page_cache), rate
# limits. The embedded default is a table in the database (`migrate` creates it); production sets
# CACHE_URL=redis://…
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_table"}}


def redis_caches(url: str) -> dict:
    """Redis as the cache, and the database for rate-limit counts while Redis is away (core.cache). A page waits
    at most half a second for a Redis that does not answer, and then not again for a few seconds."""
    return {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": url, "FALLBACK": "counters",
                        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
            "counters": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_table"}}


PAGE_CACHE = os.environ.get("PAGE_CACHE", "on") != "off"  # anonymous pages from the cache (core.page_cache)


def _git_commit() -> str:
    """The checkout's commit, read from .git without running git ("" outside a checkout)."""
    try:
        head = (BASE_DIR / ".git" / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head.removeprefix("ref: ")
        loose = BASE_DIR / ".git" / ref
        if loose.exists():
            return loose.read_text().strip()
        packed = (BASE_DIR / ".git" / "packed-refs").read_text().splitlines()
        return next((line.split()[0] for line in packed if line.endswith(f" {ref}")), "")
    except OSError:
        return ""


# What is deployed (a build id: set RELEASE to the image tag or commit where there is no .git). Pages stored by
# one release are never served by another, even while servers restart one by one.
RELEASE = (os.environ.get("RELEASE") or _git_commit())[:12]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "stripe": {"level": "WARNING"},  # its line per API request would drown the demo's mails
    },
}

# Content-Security-Policy (django-csp). The site's pages: our own scripts, or inline ones with the request's
# nonce; forms post to us, and the payment button's redirect goes to Stripe Checkout. Video embeds from
# YouTube and Vimeo. The Wagtail admin needs inline scripts and styles (core.middleware picks its policy).
# With the Stripe test double (demo, tests) its payment page is on loopback, on the double's port.
STRIPE_CHECKOUT_ORIGIN = os.environ.get("STRIPE_CHECKOUT_ORIGIN", "https://checkout.stripe.com"
                                        if STRIPE_API_BASE.startswith("https://") else "http://127.0.0.1:*")
_EMBEDS = ["https://www.youtube-nocookie.com", "https://www.youtube.com", "https://player.vimeo.com"]
_CSP_BASE = {
    "default-src": [SELF], "img-src": [SELF, "data:"], "font-src": [SELF], "connect-src": [SELF],
    "frame-src": [SELF, *_EMBEDS], "form-action": [SELF, STRIPE_CHECKOUT_ORIGIN], "frame-ancestors": [SELF],
    "base-uri": [SELF], "object-src": [NONE],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**_CSP_BASE, "script-src": [SELF, NONCE], "style-src": [SELF]}}
CONTENT_SECURITY_POLICY_ADMIN = {"DIRECTIVES": {
    **_CSP_BASE, "script-src": [SELF, UNSAFE_INLINE], "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
}}
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
                      "interest-cohort=()")

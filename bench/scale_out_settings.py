"""Production settings as deployed, for bench/scale_out.py: the HTTP benchmarks' settings, with mail handed to no
server (the bench runs none; a mail task would otherwise fail and be retried, which is not what it measures)."""

from bench.http_settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
# The bench makes 200 people with a password; production's slow hash would take minutes (nobody logs in with it).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

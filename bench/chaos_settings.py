"""Production settings as deployed, for bench/chaos.py, with the clocks of recovery in seconds instead of minutes: a
task whose worker was killed is queued again after 10 s (production: 10 minutes), a failed one retried after 1, 2,
4, 8 and 16 s. Mail goes to the bench's SMTP sink (EMAIL_URL)."""

from bench.http_settings import *  # noqa: F403

TASK_LEASE_MINUTES = 10 / 60
TASK_RETRY_AFTER_SECONDS = [1, 2, 4, 8, 16]
HEARTBEAT_STALE_SECONDS = 30
# The bench makes its people with a password; production's slow hash would take minutes (nobody logs in with it).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Production settings as deployed, for the HTTP benchmarks: over plain HTTP on loopback, with the throwaway
database, Redis and folders the benchmark made (bench/http_pages.py sets the environment before it starts)."""

import os

from lms.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
STATIC_ROOT = os.environ["STATIC_ROOT"]
# Background work is queued in the database, as production does; no worker runs during a benchmark.

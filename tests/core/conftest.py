import shutil

import pytest
from django.core.management import call_command

from core.models import ProviderSettings
from lms.settings.base import redis_caches
from tests.redis_server import ThrowawayRedis


@pytest.fixture
def redis_server(settings, tmp_path):
    """The site's cache in a Redis of its own, with the page cache on, as production has them."""
    if not shutil.which("redis-server"):
        pytest.skip("needs Debian's redis-server")
    server = ThrowawayRedis(tmp_path)
    settings.CACHES = redis_caches(server.url)
    settings.PAGE_CACHE = True
    call_command("createcachetable", verbosity=0)  # the counters' table (the SQLite pass has no database cache)
    ProviderSettings.load()  # saved before the first page: the first render would otherwise create them
    yield server
    server.close()

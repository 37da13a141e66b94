"""Django's Redis cache, made cheaper for a page from the cache (core.page_cache), where it was most of the
request: it keeps its redis-py client (Django makes a new `redis.Redis` for every operation, and redis-py 6 builds
its table of ~160 response callbacks each time; a client over a connection pool is safe to share between
threads), and it skips memcached's key checks (Redis takes any key)."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _KeptClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClients

    def validate_key(self, key):
        pass

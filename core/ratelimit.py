"""Counting requests per client and window in the shared cache, without a database write: on Redis one INCR
(with its expiry, in the same round trip); on other backends Django's add + incr (atomic per process for the
local-memory cache, good enough for the embedded database cache)."""

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache


def hits(key: str, *, window_seconds: int) -> int:
    """This request counted under `key`: how many there have been in the window, this one included."""
    if isinstance(cache, RedisCache):
        redis_key = cache.make_and_validate_key(key)
        pipeline = cache._cache.get_client(redis_key, write=True).pipeline()
        pipeline.incr(redis_key)
        pipeline.expire(redis_key, window_seconds, nx=True)
        return pipeline.execute()[0]
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        return 1

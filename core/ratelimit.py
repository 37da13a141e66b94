"""Counting requests per client and window in the shared cache, without a database write: on Redis one round
trip (SET NX with the window's expiry, then INCR); on other backends Django's add + incr (atomic per process for
the local-memory cache, good enough for the embedded database cache)."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def hits(key: str, *, window_seconds: int) -> int:
    """This request counted under `key`: how many there have been in the window, this one included."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        redis_key = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(redis_key, write=True).pipeline()
        pipeline.set(redis_key, 0, ex=window_seconds, nx=True)  # the window starts with the first request
        pipeline.incr(redis_key)
        return pipeline.execute()[1]
    backend.add(key, 0, timeout=window_seconds)
    try:
        return backend.incr(key)
    except ValueError:  # evicted between add and incr
        return 1

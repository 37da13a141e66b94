"""Counting requests per client and window in the shared cache, without a database write: on Redis one round
trip (core.cache.RedisCache.count, which counts in the database while Redis is away); on other backends Django's
add + incr."""

from django.core.cache import caches

from .cache import RedisCache, count_with

PREFIX = "ratelimit:"  # core.cache.SAFEGUARDS: kept counting while Redis is away


def hits(key: str, *, window_seconds: int) -> int:
    """This request counted under `key`: how many there have been in the window, this one included."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend.count(PREFIX + key, window_seconds=window_seconds)
    return count_with(backend, PREFIX + key, window_seconds=window_seconds)

"""Django's Redis cache, made cheaper for a page from the cache (core.page_cache) and harmless when Redis is away.

Cheaper: it keeps its redis-py client (Django makes a new `redis.Redis` for every operation, and redis-py 6 builds
its table of ~160 response callbacks each time; a client over a connection pool is safe to share between
threads), and it skips memcached's key checks (Redis takes any key).

Harmless when away: the cache is a speed-up, so while Redis does not answer every operation is a miss or does
nothing, and the site renders uncached (sessions come from the database: cached_db). Only what guards logins
(`SAFEGUARDS`: rate-limit counts, and the authenticator codes already used, which allauth refuses to take twice)
moves to the `FALLBACK` cache, the database, so the limits keep counting across servers and a second factor still
works, at the price of a database write per such request during the outage. After a failure the process does not
ask Redis again for `RETRY_SECONDS` (a page does not wait for it on every call), and it logs the outage once and
its end once. When Redis answers again, everything this site kept in it is deleted, the safeguards excepted: a
page, a session or a shared part changed while Redis was away would otherwise come back stale (a logged-out
session, a page showing an old price). The process that saw the outage does so before its next read; the outage is
also written in the database (`OUTAGE`), so that the scheduler does it within a tick when the only process that saw
it (a task worker, say) has nothing more to ask."""

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
# allauth's and core.ratelimit's counts, and allauth's record of a used authenticator code (replays refused)
SAFEGUARDS = ("allauth:rl:", "ratelimit:", "allauth.mfa.totp.used?")
OUTAGE = "redis-outage"  # in the fallback while Redis is away: what it holds may be stale
UNREACHABLE = (RedisError, OSError)


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
    RETRY_SECONDS = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClients
        self._fallback_alias = params.get("FALLBACK")
        self._away_since: float | None = None  # time.monotonic() of the failure, while Redis is away
        self._retry_at = 0.0
        self._lock = threading.Lock()

    def validate_key(self, key):
        pass

    @property
    def reachable(self) -> bool:
        """Whether Redis answered the last time it was asked (what /healthz/ reports)."""
        return self._away_since is None

    def _on_redis(self, run, *, otherwise):
        """`run()` on Redis; `otherwise()` while it is away, or when it fails now."""
        if self._usable():
            try:
                return run()
            except UNREACHABLE as error:
                self._went_away(error)
        return otherwise()

    def _attempt(self, operation: str, *args, away, key: str | None = None, **kwargs):
        """Django's `operation` on Redis; while it is away, on the fallback for a safeguard's key, else `away`."""

        def otherwise():
            if key is not None and self._fallback_alias and key.startswith(SAFEGUARDS):
                return getattr(caches[self._fallback_alias], operation)(*args, **kwargs)
            if isinstance(away, Exception):
                raise away
            return away

        return self._on_redis(lambda: getattr(DjangoRedisCache, operation)(self, *args, **kwargs),
                              otherwise=otherwise)

    def _usable(self) -> bool:
        """Whether to ask Redis: yes while it answers; while it is away, once per retry interval, and when it
        answers again only after what may have changed meanwhile is deleted (before anyone reads it)."""
        if self._away_since is None:
            return True
        if time.monotonic() < self._retry_at:
            return False
        with self._lock:
            if self._away_since is None:
                return True
            try:
                deleted = self._forget_all_but_safeguards()
            except UNREACHABLE:
                self._retry_at = time.monotonic() + self.RETRY_SECONDS
                return False
            seconds, self._away_since = time.monotonic() - self._away_since, None
            self._outage_recorded(False)
        log.warning("Redis is back after %.0f s; %d kept values deleted, as they may be stale.", seconds, deleted)
        return True

    def _outage_recorded(self, away: bool) -> None:
        if not self._fallback_alias:
            return
        try:
            if away:
                caches[self._fallback_alias].set(OUTAGE, True, timeout=None)
            else:
                caches[self._fallback_alias].delete(OUTAGE)
        except Exception:  # noqa: BLE001 - the database may be away too; the process's own state still holds
            log.warning("Could not record the Redis outage in the database", exc_info=True)

    def forget_after_an_outage_elsewhere(self) -> bool:
        """For the scheduler's tick: when another process recorded an outage, this process clears Redis as if it had
        seen the outage itself (`_usable`), if Redis answers. One database read when there was none."""
        if not self._fallback_alias or not caches[self._fallback_alias].get(OUTAGE):
            return False
        with self._lock:
            if self._away_since is None:
                self._away_since = time.monotonic()
            self._retry_at = 0.0
        return self._usable()

    def _went_away(self, error: Exception) -> None:
        with self._lock:
            first = self._away_since is None
            if first:
                self._away_since = time.monotonic()
            self._retry_at = time.monotonic() + self.RETRY_SECONDS
        if first:
            log.error("Redis is unreachable (%r): pages render without the cache, rate limits count in the "
                      "database; asking again every %.0f s.", error, self.RETRY_SECONDS)
            self._outage_recorded(True)

    def _forget_all_but_safeguards(self) -> int:
        client = self._cache.get_client(write=True)
        counted = tuple(self.make_key(prefix) for prefix in SAFEGUARDS)
        deleted, batch = 0, []
        for name in client.scan_iter(match=self.make_key("*"), count=1000):
            if not name.decode().startswith(counted):
                batch.append(name)
            if len(batch) >= 1000:
                deleted += client.delete(*batch)
                batch = []
        if batch:
            deleted += client.delete(*batch)
        return deleted

    def count(self, key: str, *, window_seconds: int) -> int:
        """One more hit under `key`, in a window that starts with its first hit: how many so far. One round trip
        (SET NX with the window's expiry, then INCR); in the fallback while Redis is away."""

        def on_redis():
            redis_key = self.make_key(key)
            pipeline = self._cache.get_client(redis_key, write=True).pipeline()
            pipeline.set(redis_key, 0, ex=window_seconds, nx=True)
            pipeline.incr(redis_key)
            return pipeline.execute()[1]

        def otherwise():
            if not self._fallback_alias:
                return 1
            return count_with(caches[self._fallback_alias], key, window_seconds=window_seconds)

        return self._on_redis(on_redis, otherwise=otherwise)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("add", key, value, timeout, version, away=False, key=key)

    def get(self, key, default=None, version=None):
        return self._attempt("get", key, default, version, away=default, key=key)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("set", key, value, timeout, version, away=None, key=key)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("touch", key, timeout, version, away=False, key=key)

    def delete(self, key, version=None):
        return self._attempt("delete", key, version, away=False, key=key)

    def get_many(self, keys, version=None):
        return self._attempt("get_many", keys, version, away={})

    def has_key(self, key, version=None):
        return self._attempt("has_key", key, version, away=False, key=key)

    def incr(self, key, delta=1, version=None):
        return self._attempt("incr", key, delta, version, away=ValueError(f"Key '{key}' not found (Redis is away)"),
                             key=key)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("set_many", data, timeout, version, away=list(data))

    def delete_many(self, keys, version=None):
        return self._attempt("delete_many", keys, version, away=None)

    def clear(self):
        return self._attempt("clear", away=False)


def count_with(backend, key: str, *, window_seconds: int) -> int:
    """The same count on any Django cache: add, then incr. Atomic per process for the local-memory cache; on the
    database cache two hits at the same moment may count as one, so a limit lets a few more through there."""
    backend.add(key, 0, timeout=window_seconds)
    try:
        return backend.incr(key)
    except ValueError:  # expired or evicted between add and incr
        return 1

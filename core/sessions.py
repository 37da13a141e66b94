"""Sessions as Django's cached_db keeps them (in the cache, and in the database for when the cache loses them),
read in the same round trip to the cache as the page cache's versions (`SESSION_ENGINE`)."""

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import DEFAULT_CACHE_ALIAS

from core import page_cache


class SessionStore(cached_db.SessionStore):
    """A signed-in request reads its session (who is asking) and the versions of what it shares with everyone
    (core.page_cache.remembered), in whichever order its view asks: one round trip to Redis for both. What the
    cache does not hold comes from the database, as with Django's cached_db."""

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._along = self.session_key is not None and settings.SESSION_CACHE_ALIAS == DEFAULT_CACHE_ALIAS
        if self._along:
            page_cache.read_along(self.cache_key)

    def load(self):
        if not self._along:
            return super().load()
        self._along = False  # once: a session read again (after a change, say) is read afresh
        try:
            data = page_cache.read_with_versions(self.cache_key)
        except Exception:  # as Django's: a key the cache refuses is read from the database
            return super().load()
        return self._from_database() if data is None else data

    def _from_database(self) -> dict:
        """cached_db's load after the cache had nothing: the database's copy, put back in the cache."""
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        return data

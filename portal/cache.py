"""Cache backends: for redis:// CACHE_URLs (innonet.settings.cache_from_url), and the
"fragments" cache in front of it."""

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

_MISSING = object()


class _SharedClients(RedisCacheClient):
    """Django makes a redis client for every operation, which costs about half as much as
    the round trip to Redis itself: the pages that read several fragments, stamps or facts
    felt it. A client is only a front for its connection pool (which redis-py renews after
    a fork), and each thread has a backend of its own, so one client per pool is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClients


class Tiered(BaseCache):
    """This process's memory in front of the shared cache (OPTIONS: SHARED, its alias;
    MAX_ENTRIES, how many values the process keeps), for values fixed by their key: the
    "fragments" cache of portal/fragments.py, whose keys hold the stamps of the data the
    values come from, so that a value kept in one process can never go stale. A hit in
    memory saves the round trip to Redis and the unpickling of a large fragment."""

    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._shared = options["SHARED"]
        self._local = LocMemCache(
            f"tiered:{location}",
            {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": options.get("MAX_ENTRIES", 300)}},
        )

    @property
    def shared(self):
        return caches[self._shared]

    def get(self, key, default=None, version=None):
        value = self._local.get(key, _MISSING, version)
        if value is _MISSING:
            value = self.shared.get(key, _MISSING, version)
            if value is _MISSING:
                return default
            self._local.set(key, value, None, version)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.shared.set(key, value, self._timeout(timeout), version)
        self._local.set(key, value, None, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        added = self.shared.add(key, value, self._timeout(timeout), version)
        if added:
            self._local.set(key, value, None, version)
        return added

    def delete(self, key, version=None):
        self._local.delete(key, version)
        return self.shared.delete(key, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.shared.touch(key, self._timeout(timeout), version)

    def has_key(self, key, version=None):
        return self._local.has_key(key, version) or self.shared.has_key(key, version)

    def clear(self):
        self._local.clear()
        self.shared.clear()

    def _timeout(self, timeout):
        return self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout

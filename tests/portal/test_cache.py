"""portal/cache.py and portal/storage.py: the shared Redis cache, the "fragments" cache in
front of it, and the static files' URLs."""

import pytest
from django.core.cache import cache, caches

from portal.cache import RedisCache, Tiered
from portal.storage import StaticFilesStorage


def test_the_redis_cache_keeps_one_client_per_pool():
    shared = caches["default"]
    assert isinstance(shared, RedisCache)
    shared.set("portal-test", 1)
    client = shared._cache.get_client()
    assert shared.get("portal-test") == 1
    assert shared._cache.get_client() is client
    assert shared._cache.get_client(write=True) is client  # one server: one pool


@pytest.fixture
def tiered():
    """A tiered cache of three entries in memory, in front of the shared cache."""
    return Tiered("test", {"OPTIONS": {"SHARED": "default", "MAX_ENTRIES": 3}})


def test_a_tiered_cache_answers_from_memory_once_it_has_read_a_key(tiered):
    tiered.set("a", "first")
    assert cache.get("a") == "first"  # written through to the shared cache
    cache.delete("a")
    assert tiered.get("a") == "first"  # from memory: its keys mean one value for good

    cache.set("b", "from another process")
    assert tiered.get("b") == "from another process"
    cache.delete("b")
    assert tiered.get("b") == "from another process"
    assert tiered.get("missing", "default") == "default"


def test_a_tiered_cache_adds_deletes_and_clears_both(tiered):
    assert tiered.add("c", 1)
    assert not tiered.add("c", 2)
    assert tiered.get("c") == 1
    assert tiered.has_key("c")
    tiered.delete("c")
    assert tiered.get("c") is None and cache.get("c") is None
    tiered.set("d", 1)
    tiered.clear()
    assert tiered.get("d") is None


def test_a_tiered_cache_keeps_only_so_many_entries_in_memory(tiered):
    for key in "pqrstuvw":
        tiered.set(key, key)
    cache.clear()
    kept = [key for key in "pqrstuvw" if tiered.get(key) is not None]
    assert 0 < len(kept) <= 3
    assert "w" in kept  # the last one written


def test_the_fragments_cache_is_tiered_in_front_of_the_shared_one():
    assert isinstance(caches["fragments"], Tiered)
    caches["fragments"].set("portal-test-fragment", "<p>x</p>")
    assert cache.get("portal-test-fragment") == "<p>x</p>"


def test_the_static_storage_looks_each_url_up_once(monkeypatch, tmp_path):
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    looked_up = []

    def url(self, name, force=False):
        looked_up.append(name)
        return f"/static/{name}.hashed"

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", url)
    storage = StaticFilesStorage(location=tmp_path)
    assert storage.url("css/portal.css") == "/static/css/portal.css.hashed"
    assert storage.url("css/portal.css") == "/static/css/portal.css.hashed"
    assert looked_up == ["css/portal.css"]
    storage.url("css/portal.css", force=True)  # collectstatic's own lookups stay uncached
    assert looked_up == ["css/portal.css", "css/portal.css"]

"""Rendered parts of pages kept in the cache until the data they show changes.

A list page wraps its expensive part in
`{% cache fragment_timeout name ... fragment_stamp using="fragments" %}`, where the stamp is
`fragments.stamp(scope, ...)`: the current *stamps* of the data scopes the part shows
("registry", "newsletter", "awards", "surveys", "survey:<pk>", "assemblies"). A write bumps
its scope's stamp once its transaction commits, so the old fragments are never read again
(they expire after TIMEOUT). The stamps live in the shared cache; the fragments in the
"fragments" cache (portal.cache.Tiered), which may keep them in the process's memory as
well, since a key with the stamps in it always means the same value: every key there must
hold the stamps of what its value shows, or else say everything the value depends on.

Saves and deletes of the models behind a scope bump it through `watch` (connected in the
apps' `ready()`: cache invalidation, not business flow); writes that bypass model signals
(`bulk_create`, `QuerySet.update`) call `bump` themselves.

The view hands the template a `lazy_context`, so that on a cache hit the queries behind the
fragment never run.
"""

import time
from collections.abc import Callable
from functools import cache as memoise

from django.core.cache import cache, caches
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.functional import SimpleLazyObject

TIMEOUT = 24 * 3600


def _key(scope: str) -> str:
    return f"fragments:stamp:{scope}"


def _new_stamp() -> str:
    # Unique over time, so a stamp lost with the cache can never come back to an old value.
    return str(time.time_ns())


def stamp(*scopes: str) -> str:
    """The scopes' current stamps as one string, for the vary-on of a `{% cache %}` tag."""
    keys = [_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _new_stamp(), None)
            found[key] = cache.get(key)
    return "-".join(str(found[key]) for key in keys)


def bump(*scopes: str) -> None:
    """The scopes' fragments are out of date: now, so that the writer's next page shows the
    change, and again once the transaction commits, so that a fragment another request
    rendered meanwhile from the data before the commit is not read either."""

    def renew():
        cache.set_many({_key(scope): _new_stamp() for scope in scopes}, None)

    renew()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(renew)


def watch(scope: str | Callable, *models) -> None:
    """Bump `scope` (or `scope(instance)`) whenever one of `models` is saved or deleted,
    or one of its many-to-many relations changes."""

    def changed(sender, instance, **kwargs):
        bump(scope(instance) if callable(scope) else scope)

    for model in models:
        uid = f"fragments:{scope if isinstance(scope, str) else scope.__qualname__}:{model}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(changed, sender=through, weak=False, dispatch_uid=f"{uid}:{field}")


_MISSING = object()


def remember(compute: Callable, name: str, *vary):
    """`compute()`, kept in the cache under `name` and `vary`, which holds a stamp(...) of
    the scopes the value comes from: a write there has it computed anew."""
    key = make_template_fragment_key(name, vary)
    value = caches["fragments"].get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        caches["fragments"].set(key, value, TIMEOUT)
    return value


def lazy_context(build: Callable[[], dict], names, scopes) -> dict:
    """A template context for a page with a cached fragment: `names` of the dict `build()`
    returns, each computed only when the template reads it (all by one call of `build`), and
    `fragment_stamp` and `fragment_timeout` for its `{% cache %}` tag."""
    once = memoise(build)
    context = {name: SimpleLazyObject(lambda name=name: once()[name]) for name in names}
    return {**context, "fragment_stamp": stamp(*scopes), "fragment_timeout": TIMEOUT}

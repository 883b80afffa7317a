"""Renderers by name: each app that sends bulk mail registers its own, the engine looks
them up by the name a mailing stores.

An app registers its renderers in its AppConfig.ready(), so every process that runs Django
(web, workers) knows them all, and the engine names no app.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

from .models import Delivery, Mailing

Renderer = Callable[[Mailing, Delivery], EmailMessage]

_renderers: dict[str, Renderer] = {}


class UnknownRenderer(LookupError):
    """A mailing names a renderer no app registered (a typo, or an app no longer installed)."""


def register(name: str, renderer: Renderer) -> None:
    """Names are "app.what"; one name taken by two functions is refused at start-up."""
    if _renderers.setdefault(name, renderer) is not renderer:
        raise ImproperlyConfigured(f"Two mail renderers are registered as {name!r}.")


def get(name: str) -> Renderer:
    try:
        return _renderers[name]
    except KeyError:
        raise UnknownRenderer(
            f"No mail renderer is registered as {name!r}: the app that sends it registers "
            "it with outbox.renderers.register in its AppConfig.ready()."
        ) from None

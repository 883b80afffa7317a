"""Every URL pattern of the project, for the sweeps over all pages (headers, IDOR)."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "dues:index"; "" for an unnamed pattern
    route: str  # the full route, e.g. "members/contacts/<int:pk>/"
    converters: tuple[str, ...]  # the names of the pattern's arguments

    @property
    def takes_arguments(self) -> bool:
        return bool(self.converters) or "(?P<" in self.route


def routes(resolver: URLResolver | None = None, prefix="", namespace="") -> list[Route]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += routes(entry, route, inner)
        elif isinstance(entry, URLPattern):
            converters = tuple(getattr(entry.pattern, "converters", {}))
            name = f"{namespace}{entry.name}" if entry.name else ""
            found.append(Route(name, route, converters))
    return found

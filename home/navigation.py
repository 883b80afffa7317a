"""The areas of the portal, in menu order; each shows only to users allowed in."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from members.permissions import can


@dataclass(frozen=True)
class Area:
    url_name: str
    label: Promise
    action: str


AREAS = [
    Area("portal:dashboard", _("Dashboard"), "home.view_dashboard"),
    Area("members:organisation", _("My organisation"), "members.view_own_organisation"),
    Area("dues:index", _("Dues"), "dues.view_own"),
    Area("members:directory", _("Member directory"), "members.view_directory"),
    Area("awards:index", _("Award"), "awards.view"),
    Area("newsletter:index", _("Newsletter"), "newsletter.view_archive"),
    Area("surveys:index", _("Surveys"), "surveys.view"),
    Area("assemblies:index", _("General assembly"), "assemblies.view"),
    Area("events:index", _("Meetings and training"), "events.view"),
    Area("proposals:index", _("Regional issues"), "proposals.view"),
    Area("admin:index", _("Secretariat admin"), "admin.access"),
]


def areas_for(roles, current_path: str) -> list[dict]:
    items = []
    for area in AREAS:
        if can(roles, area.action):
            url = reverse(area.url_name)
            active = current_path == url if url == "/" else current_path.startswith(url)
            items.append({"url": url, "label": area.label, "active": active})
    return items

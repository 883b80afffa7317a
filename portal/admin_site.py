"""The secretariat's admin site (`admin.site`, through innonet.apps.AdminConfig)."""

import hashlib

from allauth.account.decorators import secure_admin_login
from django.contrib.admin import AdminSite
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from portal import fragments


class PortalAdminSite(AdminSite):
    """Django's admin site, with a nav sidebar that costs a page little.

    Django builds the list of every model the user may reach (reversing two URLs per model)
    for each admin page, and renders it into the sidebar. Here the list is built only when
    it is rendered, and templates/admin/base_site.html keeps the rendered sidebar in the
    "fragments" cache under `nav_sidebar_key`: what each model admin allows the user, asked
    anew on every request (some admins decide from the data: no second issuer, no edits once
    a vote has opened), with the language and the section of the site the page is in.
    Whatever changes the sidebar changes its key, so a cached sidebar is never out of date.
    """

    site_header = _("Innovation Net secretariat")
    site_title = _("Innovation Net secretariat")
    index_title = _("Administration")

    def login(self, request, extra_context=None):
        # The admin signs in through allauth, so rate limits and MFA apply there too.
        return secure_admin_login(super().login)(request, extra_context)

    def get_app_list(self, request, app_label=None):
        build = super().get_app_list
        return SimpleLazyObject(lambda: build(request, app_label))

    def each_context(self, request):
        return {
            **super().each_context(request),
            "fragment_timeout": fragments.TIMEOUT,
            "nav_sidebar_key": SimpleLazyObject(lambda: self.nav_sidebar_key(request)),
        }

    def nav_sidebar_key(self, request) -> str:
        allowed = []
        for model, model_admin in self._registry.items():
            # As AdminSite._build_app_dict decides which models the list shows, and how.
            if model_admin.has_module_permission(request):
                allowed.append((model._meta.label, *model_admin.get_model_perms(request).values()))
        # The links start with the script name; the sidebar marks the current app and model,
        # the /admin/<app>/<model>/ part of the path.
        section = (request.META.get("SCRIPT_NAME", ""), request.path_info.split("/")[:4])
        return hashlib.sha256(repr((allowed, section)).encode()).hexdigest()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from portal import fragments

        from . import models

        # The directory and the survey breakdowns show these (portal/fragments.py).
        fragments.watch(
            "registry",
            models.Organisation,
            models.Membership,
            models.MembershipClass,
            models.RegionalBlock,
            models.OrganisationKind,
        )
        # The admin asks on every page whether the issuer exists (selectors.issuer_exists).
        fragments.watch("issuer", models.Issuer)

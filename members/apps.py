from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from outbox import renderers
        from portal import fragments

        from . import mail, models

        renderers.register(mail.INVOICE_NOTICE, mail.render_invoice_notice)
        renderers.register(mail.DUES_REMINDER, mail.render_reminder)

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

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from outbox import renderers

        from . import mail

        renderers.register(mail.INVOICE_NOTICE, mail.render_invoice_notice)
        renderers.register(mail.DUES_REMINDER, mail.render_reminder)

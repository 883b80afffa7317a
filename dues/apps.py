from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "dues"
    verbose_name = _("Dues")

    def ready(self):
        from outbox import renderers

        from . import mail

        renderers.register(mail.INVOICE_NOTICE, mail.render_invoice_notice)
        renderers.register(mail.DUES_REMINDER, mail.render_reminder)

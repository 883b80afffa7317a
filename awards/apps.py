from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Award")

    def ready(self):
        from outbox import renderers

        from . import decisions, mail

        renderers.register(mail.RENDERER, mail.render)
        renderers.register(decisions.NOTIFICATION_RENDERER, decisions.render_notification)

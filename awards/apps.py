from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Award")

    def ready(self):
        from outbox import renderers
        from portal import fragments

        from . import decisions, mail, models

        renderers.register(mail.RENDERER, mail.render)
        renderers.register(decisions.NOTIFICATION_RENDERER, decisions.render_notification)

        # The winners archive shows these (portal/fragments.py).
        fragments.watch(
            "awards", models.Edition, models.Prize, models.Track, models.Entry, models.Decision
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "events"
    verbose_name = _("Meetings and training")

    def ready(self):
        from outbox import renderers

        from . import mail

        for name, render in mail.RENDERERS.items():
            renderers.register(name, render)

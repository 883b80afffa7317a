from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    name = "assemblies"
    verbose_name = _("General assembly")

    def ready(self):
        from outbox import renderers

        from . import mail

        renderers.register(mail.RENDERER, mail.render)

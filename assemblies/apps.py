from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    name = "assemblies"
    verbose_name = _("General assembly")

    def ready(self):
        from outbox import renderers
        from portal import fragments

        from . import mail, models

        renderers.register(mail.RENDERER, mail.render)

        # Whether votes are taken now, asked by every member dashboard (selectors.awaiting_votes).
        fragments.watch("assemblies", models.Assembly)

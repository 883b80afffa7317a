from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from outbox import renderers

        from . import mail

        renderers.register(mail.RENDERER, mail.render)

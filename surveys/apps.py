from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from outbox import renderers
        from portal import fragments

        from . import mail, models

        renderers.register(mail.RENDERER, mail.render)

        # The results show these (portal/fragments.py); submissions bump their survey's own
        # scope (services._store). Responses are left out: drafts save them all the time.
        fragments.watch(
            "surveys",
            models.Survey,
            models.Section,
            models.Question,
            models.Option,
            models.Answer,
            models.Choice,
            models.OtherAnswer,
        )

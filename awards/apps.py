from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Award")

    def ready(self):
        from portal import fragments

        from . import models

        # The winners archive shows these (portal/fragments.py).
        fragments.watch(
            "awards", models.Edition, models.Prize, models.Track, models.Entry, models.Decision
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self):
        # django-anymail reports providers' webhooks as signals: its only way to hand them on.
        from anymail.signals import inbound, tracking

        from outbox import renderers

        from . import bounces, rendering

        renderers.register(rendering.ISSUE_RENDERER, rendering.render_issue)
        tracking.connect(bounces.handle_tracking, dispatch_uid="newsletter-tracking")
        inbound.connect(bounces.handle_inbound, dispatch_uid="newsletter-inbound")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.core.signals import request_finished

        from portal.middleware import clear_request_id

        # Infrastructure, not business flow: the request id ends with the response.
        request_finished.connect(clear_request_id, dispatch_uid="portal.clear_request_id")

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings


class PortalAuthenticationBackend(AuthenticationBackend):
    """allauth's backend, refusing demo accounts unless DEBUG is on (every login path)."""

    def user_can_authenticate(self, user):
        if getattr(user, "is_demo", False) and not settings.DEBUG:
            return False
        return super().user_can_authenticate(user)

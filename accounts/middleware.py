from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class StaffMFAMiddleware:
    """Staff reach the admin, and the secretariat's pages outside it (settings.
    STAFF_MFA_PATHS), only after setting up two-factor authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and request.path.startswith((reverse("admin:index"), *settings.STAFF_MFA_PATHS))
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.warning(
                request,
                _(
                    "Secretariat accounts must set up two-factor authentication "
                    "before using the admin."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# The only pages a staff user without two-factor may open: the way to set it up (allauth asks
# for the password again before showing the secret), the way out, the language switch, the
# health check and the privacy policy, which a login may ask them to agree to first.
# Everything else, a URL added later too, sends them to set it up first.
MFA_SETUP_VIEWS = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "mfa_activate_totp",
        "set_language",
        "healthz",
        "accounts:privacy",
        "accounts:privacy_consent",
    }
)


class StaffMFAMiddleware:
    """Staff reach no page but the set-up (MFA_SETUP_VIEWS) before setting up two-factor
    authentication: a path list would leave every page it forgot open to a stolen password."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and request.resolver_match.view_name not in MFA_SETUP_VIEWS
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            _warn_once(request)
            return redirect("mfa_activate_totp")
        return None


def _warn_once(request) -> None:
    """Requests that render no page (downloads, scripts) would otherwise pile the same
    warning up for the set-up page; reading the queue leaves it as it was (storage.used)."""
    text = _("Secretariat accounts must set up two-factor authentication before using the portal.")
    storage = messages.get_messages(request)
    queued = any(str(message) == text for message in storage)
    storage.used = False
    if not queued:
        messages.warning(request, text)

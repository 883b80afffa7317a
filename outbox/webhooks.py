"""The mail provider's webhooks (django-anymail): only the configured provider's are routed.

anymail's own URLs route every provider it knows, and some of them fail on their first call
when their package is missing (Amazon SES without boto3 answered 500). Each routed view is
guarded here: a call without the basic-auth secret (settings.ANYMAIL["WEBHOOK_SECRET"]) is
answered 401 before the provider's view is built, never 400 or 500.
"""

from functools import wraps

from anymail.urls import urlpatterns as anymail_urlpatterns
from anymail.utils import get_request_basic_auth
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.urls import URLPattern
from django.utils.crypto import constant_time_compare


def _authorised(request) -> bool:
    secrets = settings.ANYMAIL.get("WEBHOOK_SECRET") or []
    secrets = [secrets] if isinstance(secrets, str) else secrets
    given = get_request_basic_auth(request) or ""
    return any(constant_time_compare(given, secret) for secret in secrets)


def _guarded(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not _authorised(request):
            response = HttpResponse(status=401)
            response["WWW-Authenticate"] = 'Basic realm="webhooks"'
            return response
        return view(request, *args, **kwargs)

    return guarded


def routes(provider: str) -> list:
    """anymail's URL patterns of `provider` (e.g. "resend"), guarded; refused if none."""
    patterns = [p for p in anymail_urlpatterns if p.name.startswith(f"{provider}_")]
    if not patterns:
        raise ImproperlyConfigured(f"MAIL_WEBHOOK_PROVIDER {provider!r} has no anymail webhooks.")
    return [URLPattern(p.pattern, _guarded(p.callback), p.default_args, p.name) for p in patterns]

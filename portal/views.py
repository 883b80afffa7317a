from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@never_cache
@require_GET
def healthz(request):
    checks = {"database": health.database_status(), "broker": health.broker_status()}
    healthy = all(value.startswith("ok") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )


def done(request, action, *args, success: str, redirect_to: str, **kwargs):
    """Run a service for a POST: its refusal becomes the page's error message, never a
    500; then back to `redirect_to`."""
    try:
        action(*args, **kwargs)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, success)
    return redirect(redirect_to)

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import Role, member_organisation_id, require, roles_of
from members import fiscal

from . import health, selectors


def home(request):
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return render(request, "portal/home.html")


@require("portal.view_dashboard")
def dashboard(request):
    roles = roles_of(request.user)
    organisation_id = member_organisation_id(request.user)
    context = {"roles": roles, "Role": Role, "organisation": None}
    if organisation_id:
        context.update(selectors.member_dashboard(organisation_id, fiscal.current_fiscal_year()))
    return render(request, "portal/dashboard.html", context)


@never_cache
@require_GET
def healthz(request):
    checks = {"database": health.database_status(), "broker": health.broker_status()}
    healthy = all(value.startswith("ok") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import Role, member_organisation, require, roles_of
from assemblies import selectors as assembly_selectors
from members import fiscal
from members import selectors as member_selectors
from surveys import selectors as survey_selectors

from . import health


def home(request):
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return render(request, "portal/home.html")


@require("portal.view_dashboard")
def dashboard(request):
    roles = roles_of(request.user)
    organisation = member_organisation(request.user)
    fiscal_year = fiscal.current_fiscal_year()
    context = {"roles": roles, "Role": Role, "organisation": organisation}
    if organisation:
        membership = member_selectors.current_membership(organisation)
        context.update(
            fiscal_year=fiscal_year,
            membership=membership,
            year=member_selectors.membership_year(organisation, fiscal_year),
            surveys=survey_selectors.awaiting_answers(organisation, membership),
            assemblies=assembly_selectors.awaiting_votes(organisation),
        )
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

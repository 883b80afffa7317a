from django.shortcuts import redirect, render

from members import fiscal
from members.permissions import require

from . import selectors


def home(request):
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return render(request, "home/home.html")


@require("home.view_dashboard")
def dashboard(request):
    roles = request.roles
    context = {"roles": roles, "organisation": None}
    if roles.organisation_id:
        context.update(
            selectors.member_dashboard(roles.organisation_id, fiscal.current_fiscal_year())
        )
    if roles.judge:
        context.update(selectors.judge_dashboard(request.user))
    return render(request, "home/dashboard.html", context)

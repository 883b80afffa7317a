from django.shortcuts import redirect, render

from accounts.permissions import Role, member_organisation_id, require, roles_of
from members import fiscal

from . import selectors


def home(request):
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return render(request, "home/home.html")


@require("home.view_dashboard")
def dashboard(request):
    roles = roles_of(request.user)
    organisation_id = member_organisation_id(request.user)
    context = {"roles": roles, "Role": Role, "organisation": None}
    if organisation_id:
        context.update(selectors.member_dashboard(organisation_id, fiscal.current_fiscal_year()))
    return render(request, "home/dashboard.html", context)

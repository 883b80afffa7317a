from django.shortcuts import render

from accounts.permissions import member_organisation, require

from . import selectors


def _render_own(request, template, **extra):
    """Render a page about the organisation the logged-in contact acts for (never another)."""
    organisation = member_organisation(request.user)
    context = {
        "organisation": organisation,
        "membership": selectors.current_membership(organisation),
        **extra,
    }
    return render(request, template, context)


@require("members.view_own_organisation")
def my_organisation(request):
    organisation = member_organisation(request.user)
    return _render_own(
        request, "members/organisation.html", contacts=selectors.contacts_of(organisation)
    )


@require("members.view_own_dues")
def dues(request):
    return _render_own(request, "members/dues.html")

from django.shortcuts import render

from accounts.permissions import member_organisation, require

from . import selectors


@require("members.view_own_organisation")
def my_organisation(request):
    organisation = member_organisation(request.user)
    return render(
        request,
        "members/organisation.html",
        {
            "organisation": organisation,
            "membership": selectors.current_membership(organisation),
            "contacts": selectors.contacts_of(organisation),
        },
    )


@require("members.view_own_dues")
def dues(request):
    organisation = member_organisation(request.user)
    return render(
        request,
        "members/dues.html",
        {
            "organisation": organisation,
            "membership": selectors.current_membership(organisation),
        },
    )

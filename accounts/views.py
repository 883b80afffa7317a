from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import services
from .forms import SetPasswordForm


@never_cache
@sensitive_post_parameters("password1", "password2")
def accept_invitation(request, token):
    limited = ratelimit.consume_or_429(request, action="accept_invitation", limit_get=True)
    if limited:
        return limited
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationUnusable:
        return render(request, "accounts/invitation_unusable.html", status=410)

    existing = get_user_model().objects.filter(email=invitation.email).first()
    if existing is not None:
        # The person has an account already (e.g. as an award applicant): they accept
        # while logged in as that account, so nobody else can attach it.
        if request.user != existing:
            return render(
                request,
                "accounts/invitation_login.html",
                {"invitation": invitation},
            )
        if request.method == "POST":
            services.accept(invitation, user=existing)
            messages.success(request, _("You now act for %s.") % invitation.person.organisation)
            return redirect("portal:dashboard")
        return render(request, "accounts/invitation_link.html", {"invitation": invitation})

    form = SetPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept(invitation, password=form.cleaned_data["password1"])
        except services.InvitationUnusable:
            return render(request, "accounts/invitation_unusable.html", status=410)
        login(request, user, backend="accounts.backends.PortalAuthenticationBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("portal:dashboard")
    return render(
        request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form}
    )

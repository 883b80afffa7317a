from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import privacy, services
from .forms import PrivacyConsentForm, SetPasswordForm


def privacy_policy(request):
    """The privacy policy, public."""
    return render(
        request,
        "accounts/privacy.html",
        {"version": privacy.POLICY_VERSION, "secretariat_name": settings.SECRETARIAT_NAME},
    )


@never_cache
@login_required
def privacy_consent(request):
    """Asked once at the first login after the policy changed (or of a user from before
    it): agree and go on to where the login was going, or log out."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if not privacy.needs_consent(request.user):
        return redirect(next_url or "portal:dashboard")
    form = PrivacyConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.record_privacy_consent(request.user)
        messages.success(
            request, _("Thank you. Your agreement to the privacy policy is recorded.")
        )
        return redirect(next_url or "portal:dashboard")
    return render(
        request,
        "accounts/privacy_consent.html",
        {"form": form, "next": next_url, "version": privacy.POLICY_VERSION},
    )


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

from allauth.account.forms import LoginForm, SignupForm
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from . import services


def _policy_link() -> SafeString:
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a>',
        reverse("accounts:privacy"),
        _("Read the privacy policy (opens in a new tab)"),
    )


class PrivacyConsentForm(forms.Form):
    """The consent to the privacy policy: at sign-up, on accepting an invitation that creates
    the account, and on its own page at the first login after the policy changed."""

    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy policy and agree to it."),
        help_text=lazy(_policy_link, SafeString)(),
        error_messages={"required": _("Please agree to the privacy policy to continue.")},
    )


class PortalLoginForm(LoginForm):
    def clean(self):
        email = (self.data.get("login") or "").strip().lower()
        is_demo = get_user_model().objects.filter(email=email, is_demo=True).exists
        if email and not settings.DEBUG and is_demo():
            raise forms.ValidationError(
                _("Demo accounts are disabled on this server. Please use your own account.")
            )
        return super().clean()


class PortalSignupForm(SignupForm):
    """allauth's sign-up, with the consent to the privacy policy, recorded on the new user."""

    privacy_consent = PrivacyConsentForm.base_fields["privacy_consent"]

    def custom_signup(self, request, user):
        services.record_privacy_consent(user)


class SetPasswordForm(PrivacyConsentForm):
    """Sets the password of an invited person, who agrees to the privacy policy; Django's
    validators apply."""

    field_order = ["password1", "password2", "privacy_consent"]

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            probe = get_user_model()(email=self.email)
            try:
                password_validation.validate_password(password1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

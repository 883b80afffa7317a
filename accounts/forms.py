from allauth.account.forms import LoginForm
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _


class PortalLoginForm(LoginForm):
    def clean(self):
        email = (self.data.get("login") or "").strip().lower()
        is_demo = get_user_model().objects.filter(email=email, is_demo=True).exists
        if email and not settings.DEBUG and is_demo():
            raise forms.ValidationError(
                _("Demo accounts are disabled on this server. Please use your own account.")
            )
        return super().clean()


class SetPasswordForm(forms.Form):
    """Sets the password of an invited person; Django's validators apply."""

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

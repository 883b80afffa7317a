from allauth.mfa.admin import AuthenticatorAdmin as MFAAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Invitation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "last_name", "first_name", "is_staff", "is_active", "is_demo"]
    list_filter = ["is_staff", "is_active", "is_demo", "groups"]
    search_fields = ["email", "last_name", "first_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["last_name", "first_name"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "is_demo", "groups"]},
        ),
        (
            _("Important dates"),
            {
                "fields": [
                    "last_login",
                    "date_joined",
                    "privacy_consent_at",
                    "privacy_policy_version",
                ]
            },
        ),
    ]
    readonly_fields = ["privacy_consent_at", "privacy_policy_version"]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "person", "created_at", "expires_at", "sent_at", "accepted_at"]
    list_select_related = ["person__organisation"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        # Invitations are created from a person ("Invite to the portal"), which mails them.
        return False


# allauth's model names its fields nothing: its admin's columns would read "user", "type"...
# on the Japanese pages too. The same admin, with labels of the portal's catalogue.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(MFAAuthenticatorAdmin):
    list_display = ("authenticator_user", "authenticator_type", "created", "last_used")

    @admin.display(description=_("user"), ordering="user")
    def authenticator_user(self, obj):
        return obj.user

    @admin.display(description=_("authenticator type"), ordering="type")
    def authenticator_type(self, obj):
        return obj.get_type_display()

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, obj):
        return obj.created_at

    @admin.display(description=_("last used at"), ordering="last_used_at")
    def last_used(self, obj):
        return obj.last_used_at

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
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    readonly_fields = ["privacy_consent_at", "privacy_policy_version"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "person", "created_at", "expires_at", "sent_at", "accepted_at"]
    list_select_related = ["person__organisation"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        # Invitations are created from a person ("Invite to the portal"), which mails them.
        return False

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services as account_services

from .models import (
    Membership,
    MembershipClass,
    Organisation,
    OrganisationKind,
    Person,
    RegionalBlock,
)


@admin.register(RegionalBlock, OrganisationKind)
class ReferenceDataAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order"]
    list_editable = ["order"]


@admin.register(MembershipClass)
class MembershipClassAdmin(admin.ModelAdmin):
    list_display = [
        "name", "code", "dues_rule", "unit_price", "minimum_units", "flat_amount",
        "votes_rule", "is_invoiced", "order",
    ]  # fmt: skip


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ["family_name", "given_name", "department", "title", "email", "user"]
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "prefecture", "block"]
    list_filter = ["block", "kind", "memberships__membership_class"]
    list_select_related = ["kind", "block"]
    search_fields = ["name", "name_kana", "short_name", "name_en"]
    inlines = [MembershipInline, PersonInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation", "department", "title", "email", "user"]
    list_select_related = ["organisation", "user"]
    search_fields = ["family_name", "given_name", "family_name_kana", "given_name_kana", "email"]
    raw_id_fields = ["user", "organisation"]
    actions = ["invite"]

    @admin.action(description=_("Invite to the portal (mails a single-use link)"))
    def invite(self, request, queryset):
        invited = 0
        for person in queryset.filter(user__isnull=True).exclude(email=""):
            account_services.invite(person, invited_by=request.user)
            invited += 1
        skipped = queryset.count() - invited
        self.message_user(
            request,
            ngettext("%d invitation sent.", "%d invitations sent.", invited) % invited,
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d person skipped: already has a login or no email address.",
                    "%d people skipped: already have a login or no email address.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

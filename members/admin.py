from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts import services as account_services

from .models import (
    FiscalYearSettings,
    Membership,
    MembershipClass,
    MembershipYear,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    RegionalBlock,
    UnitsException,
)


@admin.register(RegionalBlock, OrganisationKind)
class ReferenceDataAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order"]
    list_editable = ["order"]


@admin.register(MembershipClass)
class MembershipClassAdmin(SimpleHistoryAdmin):
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


class PersonRoleInline(admin.TabularInline):
    model = PersonRole
    extra = 0
    fields = ["kind", "starts_on", "ends_on"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "prefecture", "block"]
    list_filter = ["block", "kind", "memberships__membership_class"]
    list_select_related = ["kind", "block"]
    search_fields = ["name", "name_kana", "short_name", "name_en"]
    inlines = [MembershipInline, PersonInline]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "organisation", "department", "title", "email", "user"]
    list_select_related = ["organisation", "user"]
    search_fields = ["family_name", "given_name", "family_name_kana", "given_name_kana", "email"]
    raw_id_fields = ["user", "organisation"]
    inlines = [PersonRoleInline]
    actions = ["invite"]

    def save_formset(self, request, form, formset, change):
        # Roles belong to the person's organisation.
        for role in formset.save(commit=False):
            role.organisation_id = form.instance.organisation_id
            role.save()
        formset.save_m2m()
        for deleted in formset.deleted_objects:
            deleted.delete()

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


@admin.register(MembershipYear)
class MembershipYearAdmin(SimpleHistoryAdmin):
    list_display = [
        "organisation", "fiscal_year", "membership_class", "units", "amount_due", "votes",
        "standing",
    ]  # fmt: skip
    list_filter = ["fiscal_year", "membership_class", "standing", "organisation__block"]
    list_select_related = ["organisation", "membership_class"]
    search_fields = ["organisation__name", "organisation__name_kana"]
    raw_id_fields = ["organisation"]


@admin.register(FiscalYearSettings)
class FiscalYearSettingsAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "units_deadline"]


@admin.register(UnitsException)
class UnitsExceptionAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "fiscal_year", "minimum_units", "granted_by", "granted_at"]
    list_select_related = ["organisation", "granted_by"]
    raw_id_fields = ["organisation"]
    exclude = ["granted_by"]

    def save_model(self, request, obj, form, change):
        obj.granted_by = request.user
        super().save_model(request, obj, form, change)

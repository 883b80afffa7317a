from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts import services as account_services
from portal import tabular
from portal.admin import NormalisedFieldsAdmin
from portal.exports import rows_csv_response

from . import exports, imports, services
from .models import (
    ChangeRequest,
    FiscalYearSettings,
    Membership,
    MembershipClass,
    MembershipYear,
    Organisation,
    OrganisationImport,
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
        "name",
        "code",
        "dues_rule",
        "unit_price",
        "minimum_units",
        "flat_amount",
        "votes_rule",
        "is_invoiced",
        "order",
    ]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


class PersonInline(NormalisedFieldsAdmin, admin.TabularInline):
    model = Person
    extra = 0
    fields = ["family_name", "given_name", "department", "title", "email", "user"]
    raw_id_fields = ["user"]


class PersonRoleInline(admin.TabularInline):
    model = PersonRole
    extra = 0
    fields = ["kind", "starts_on", "ends_on"]


@admin.register(Organisation)
class OrganisationAdmin(NormalisedFieldsAdmin, SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "prefecture", "block"]
    list_filter = ["block", "kind", "memberships__membership_class"]
    list_select_related = ["kind", "block"]
    search_fields = ["name", "name_kana", "short_name", "name_en"]
    inlines = [MembershipInline, PersonInline]
    actions = exports.ORGANISATIONS


class CurrentClassFilter(admin.SimpleListFilter):
    """People of the institutions whose current membership is of this class."""

    title = _("membership class")
    parameter_name = "membership_class"

    def lookups(self, request, model_admin):
        return [(c.pk, str(c)) for c in MembershipClass.objects.order_by("order", "pk")]

    def queryset(self, request, queryset):
        value = self.value()
        if not (value and value.isdigit()):
            return queryset
        members = Membership.objects.current().filter(membership_class_id=value)
        return queryset.filter(organisation__in=members.values("organisation_id"))


class CurrentRoleFilter(admin.SimpleListFilter):
    """People holding this role now (an ended role does not count)."""

    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return PersonRole.Kind.choices

    def queryset(self, request, queryset):
        if self.value() not in PersonRole.Kind.values:
            return queryset
        roles = PersonRole.objects.current().filter(person=OuterRef("pk"), kind=self.value())
        return queryset.filter(Exists(roles))


@admin.register(Person)
class PersonAdmin(NormalisedFieldsAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "organisation", "department", "title", "email", "user"]
    list_filter = [CurrentClassFilter, "organisation__block", CurrentRoleFilter]
    list_select_related = ["organisation", "user"]
    search_fields = ["family_name", "given_name", "family_name_kana", "given_name_kana", "email"]
    raw_id_fields = ["user", "organisation"]
    inlines = [PersonRoleInline]
    actions = ["invite", *exports.PEOPLE]

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
        "organisation",
        "fiscal_year",
        "membership_class",
        "units",
        "amount_due",
        "votes",
        "standing",
    ]
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


class OrganisationImportForm(forms.ModelForm):
    class Meta:
        model = OrganisationImport
        fields = ["upload"]
        help_texts = {
            "upload": _(
                "CSV (UTF-8 or Shift_JIS) or Excel (.xlsx) with the template's headers. The "
                "whole file is checked first: if any row is wrong, nothing is imported and the "
                "problems are listed by row and column."
            )
        }

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        tabular.check_size(upload.size)
        return upload


@admin.register(OrganisationImport)
class OrganisationImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "status", "rows", "created", "uploaded_by", "uploaded_at"]
    list_select_related = ["uploaded_by"]
    form = OrganisationImportForm
    readonly_fields = ["file_name", "status", "rows", "created", "finished_at", "problems"]

    def get_fields(self, request, obj=None):
        return ["upload"] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # an upload is shown read-only once queued

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = imports.queue(form.cleaned_data["upload"], request.user).pk

    def get_urls(self):
        template = self.admin_site.admin_view(self.template_view)
        return [
            path("template.csv", template, name="members_organisationimport_template"),
            *super().get_urls(),
        ]

    def template_view(self, request):
        """An empty member list with the headers, as CSV for Excel."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        return rows_csv_response([imports.HEADERS.values()], "member-list-template")

    @admin.display(description=_("problems found"))
    def problems(self, obj):
        if not obj.report:
            return "—"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody>"
            "</table>",
            _("row"),
            _("column"),
            _("problem"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((p["row"] or "—", p["column"] or "—", p["message"]) for p in obj.report),
            ),
        )


class DecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("Approve and apply")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ChangeRequest
        fields = ["reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the member a reason when rejecting a request."))
        return cleaned


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """Members' changes to legal name, corporate number and representative, to decide on."""

    form = DecisionForm
    list_display = [
        "organisation",
        "field",
        "old_value",
        "new_value",
        "status",
        "requested_at",
    ]
    list_filter = ["status", "field"]
    list_select_related = ["organisation"]
    readonly_fields = [
        "organisation",
        "field",
        "old_value",
        "new_value",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    ]

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return [*self.readonly_fields, "decision", "reason"]
        return [*self.readonly_fields, "reason"]

    def has_change_permission(self, request, obj=None):
        """Pending requests are decided here; decided ones are only shown."""
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status == ChangeRequest.Status.PENDING)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.decide_change_request(
            obj,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
            user=request.user,
        )

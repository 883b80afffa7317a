"""The secretariat's set-up of the general assembly. The roll, ballots and the audit trail
are never edited here: the roll is frozen by `freeze_roll`, corrected with a recorded reason
and the vote opened and closed on the assembly's secretariat page. Ballots have no admin at
all, so that a secret ballot stays secret."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from portal.admin import ReadOnlyAdmin
from portal.uploads import check_attachment

from . import services
from .models import AgendaAttachment, AgendaItem, Assembly, AuditEvent, RollEntry, Threshold


def _before_opening(assembly) -> bool:
    """The agenda is fixed once the vote opens: the members vote on what they saw."""
    return assembly is None or assembly.opened_at is None


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title", "text", "threshold"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return _before_opening(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _before_opening(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _before_opening(obj) and super().has_delete_permission(request, obj)


@admin.register(Assembly)
class AssemblyAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "held_on",
        "record_date",
        "opens_at",
        "closes_at",
        "roll_frozen_at",
        "opened_at",
        "closed_at",
    ]
    readonly_fields = ["roll_frozen_at", "opened_at", "closed_at"]
    inlines = [AgendaItemInline]
    actions = ["freeze_roll"]

    def get_readonly_fields(self, request, obj=None):
        """Once the vote is open its rules are fixed: the members voted under them."""
        if obj is not None and obj.opened_at is not None:
            return [field.name for field in obj._meta.fields]
        return self.readonly_fields

    @admin.action(description=_("Freeze the voter roll at the record date"))
    def freeze_roll(self, request, queryset):
        for assembly in queryset:
            try:
                count = services.freeze_roll(assembly.pk, request.user)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(title)s: %(count)d organisations on the roll.")
                    % {"title": assembly.title, "count": count},
                )


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = ["name", "votes_numerator", "votes_denominator", "votes_strict"]

    def has_change_permission(self, request, obj=None):
        """A threshold an opened assembly voted under is fixed: editing it would rewrite
        that assembly's results. Make a new one instead."""
        used = (
            obj is not None
            and AgendaItem.objects.filter(
                threshold=obj, assembly__opened_at__isnull=False
            ).exists()
        )
        return not used and super().has_change_permission(request, obj)


class AgendaAttachmentForm(forms.ModelForm):
    """A document every member downloads: typed by its bytes like an award attachment
    (PDF, images, Office files; size and unpacked size limited)."""

    class Meta:
        model = AgendaAttachment
        fields = ["title", "file"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if isinstance(upload, UploadedFile):
            check_attachment(upload)
        return upload


class AgendaAttachmentInline(admin.TabularInline):
    model = AgendaAttachment
    form = AgendaAttachmentForm
    extra = 1


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    """An item's text and attachments (the inline on the assembly has no room for files)."""

    list_display = ["title", "assembly", "order", "threshold"]
    list_filter = ["assembly"]
    list_select_related = ["assembly", "threshold"]
    # No chair_choice here: recorded on the live page, and secret with a secret ballot.
    fields = ["assembly", "order", "title", "text", "threshold"]
    inlines = [AgendaAttachmentInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assembly":
            kwargs["queryset"] = Assembly.objects.filter(opened_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        opened = obj is not None and not _before_opening(obj.assembly)
        return not opened and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        opened = obj is not None and not _before_opening(obj.assembly)
        return not opened and super().has_delete_permission(request, obj)


@admin.register(RollEntry)
class RollEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "organisation",
        "assembly",
        "votes",
        "eligible",
        "counts_for_headcount",
        "note",
    ]
    list_filter = ["assembly", "eligible"]
    list_select_related = ["organisation", "assembly"]
    search_fields = ["organisation__name", "organisation__name_kana"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "assembly", "actor", "action", "entry", "item", "detail"]
    list_filter = ["assembly", "action"]
    list_select_related = ["assembly", "actor", "entry__organisation", "item"]
    search_fields = ["entry__organisation__name", "actor__email"]

"""The secretariat's side of the general assembly. The roll is frozen by `freeze_roll`
and never edited here: corrections with a recorded reason come with the voting pages."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AgendaItem, Assembly, RollEntry, Threshold


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title", "text", "threshold"]


@admin.register(Assembly)
class AssemblyAdmin(admin.ModelAdmin):
    list_display = ["title", "held_on", "record_date", "opens_at", "closes_at", "roll_frozen_at"]
    readonly_fields = ["roll_frozen_at"]
    inlines = [AgendaItemInline]
    actions = ["freeze_roll"]

    @admin.action(description=_("Freeze the voter roll at the record date"))
    def freeze_roll(self, request, queryset):
        for assembly in queryset:
            try:
                count = services.freeze_roll(assembly.pk)
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


@admin.register(RollEntry)
class RollEntryAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

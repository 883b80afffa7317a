"""Admin pieces shared by the apps' admins."""

from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import failures, formfields
from portal.models import FailedTask


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (audit trails, frozen rolls): nobody adds, edits or
    deletes them in the admin, not even a superuser."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FailedTask)
class FailedTaskAdmin(ReadOnlyAdmin):
    """Tasks that ended in an exception (recorded by portal.failures). Read-only: the
    secretariat marks them resolved or sends them again."""

    list_display = ["last_failed_at", "name", "short_exception", "count", "request_id", "resolved"]
    list_filter = ["resolved", "name"]
    search_fields = ["task_id", "name", "exception", "request_id"]
    date_hierarchy = "last_failed_at"
    list_select_related = ["resolved_by"]
    fields = [
        "name",
        "task_id",
        "request_id",
        "exception",
        "traceback",
        "args_repr",
        "kwargs_repr",
        "first_failed_at",
        "last_failed_at",
        "count",
        "retried_at",
        "resolved",
        "resolved_at",
        "resolved_by",
    ]
    actions = ["mark_resolved", "send_again"]

    @admin.display(description=_("exception"))
    def short_exception(self, obj):
        first_line = obj.exception.splitlines()[0] if obj.exception else ""
        return Truncator(first_line).chars(120)

    def has_mark_resolved_permission(self, request):
        return self.has_view_permission(request)

    has_send_again_permission = has_mark_resolved_permission

    @admin.action(description=_("Mark as resolved"), permissions=["mark_resolved"])
    def mark_resolved(self, request, queryset):
        count = failures.mark_resolved(queryset.values_list("pk", flat=True), request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed task marked as resolved.",
                "%(count)d failed tasks marked as resolved.",
                count,
            )
            % {"count": count},
        )

    @admin.action(description=_("Send the task again"), permissions=["send_again"])
    def send_again(self, request, queryset):
        for row in queryset:
            try:
                failures.send_again(row.pk)
            except failures.CannotSendAgain as reason:
                self.message_user(
                    request,
                    _("%(task)s cannot be sent again: %(reason)s.")
                    % {"task": row, "reason": reason},
                    messages.ERROR,
                )
            else:
                self.message_user(request, _("%(task)s sent again.") % {"task": row})


class NormalisedFieldsAdmin:
    """Mixed into a ModelAdmin or inline: phone numbers, postal codes and readings are
    normalised and checked as on every other form (portal.formfields.NORMALISED)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        form_class = formfields.NORMALISED.get(db_field.name)
        if form_class is not None:
            kwargs["form_class"] = form_class
        return super().formfield_for_dbfield(db_field, request, **kwargs)

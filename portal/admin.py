"""Admin pieces shared by the apps' admins."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core import checks
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import failures, fragments
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


class _CountedRows:
    """A page's rows that are read only when iterated: their number comes from the counts
    the changelist has made anyway (the admin asks len() for its "0 of N selected")."""

    def __init__(self, rows, length: int):
        self.rows, self.length = rows, length

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return self.length


class CachedResultsChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        if (self.show_all and self.can_show_all) or not self.multi_page:
            shown = self.result_count
        else:
            before = (self.page_num - 1) * self.list_per_page
            shown = min(self.list_per_page, self.result_count - before)
        self.result_list = _CountedRows(self.result_list, shown)


class CachedResultsAdmin(admin.ModelAdmin):
    """A changelist whose table of rows is kept in the cache until the data it shows changes
    (portal/fragments.py): the admin renders every cell through several layers, which costs
    a hundred-row page far more than its queries. `fragment_scopes` name the scopes behind
    the columns and the filters; the fragment varies with the query string (search, filters,
    ordering, page), the language and the columns the user gets (no checkboxes without
    actions). Not for list_editable, whose cells are form fields."""

    change_list_template = "admin/cached_change_list.html"
    fragment_scopes: tuple[str, ...] = ()

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.list_editable or not self.fragment_scopes:
            errors.append(
                checks.Error(
                    "A cached changelist needs fragment_scopes and no list_editable.",
                    obj=type(self),
                    id="portal.E001",
                )
            )
        return errors

    def get_changelist(self, request, **kwargs):
        return CachedResultsChangeList

    def changelist_view(self, request, extra_context=None):
        context = {
            "fragment_stamp": fragments.stamp(*self.fragment_scopes),
            "fragment_timeout": fragments.TIMEOUT,
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)


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

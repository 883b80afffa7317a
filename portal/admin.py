"""Admin pieces shared by the apps' admins."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core import checks
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

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
    """A changelist whose search form, rows, pages and filters are kept in the cache until
    the data they show changes (portal/fragments.py, templates/admin/cached_change_list.html):
    the admin renders every cell through several layers, which costs a hundred-row page far
    more than its queries. `fragment_scopes` name the scopes behind the columns and the
    filters; the fragments vary with the query string (search, filters, ordering, page), the
    language, the columns and the actions the user gets. The page's count and the choices of
    its CachedRelatedFieldListFilter filters come from the cache under the same stamp, so
    that a cached page makes none of those queries; the total before filtering ("N total")
    is not counted at all.

    Not for list_editable, whose cells are form fields, nor for a get_queryset that depends
    on the user: the cache is shared by every user who sees the same columns."""

    change_list_template = "admin/cached_change_list.html"
    fragment_scopes: tuple[str, ...] = ()
    show_full_result_count = False

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

    def fragment_stamp(self, request) -> str:
        # Read once per request: the filters, the count and the template all vary on it.
        if not hasattr(request, "fragment_stamp"):
            request.fragment_stamp = fragments.stamp(*self.fragment_scopes)
        return request.fragment_stamp

    def _facts_key(self, request) -> str:
        vary = [request.GET.urlencode(), get_language(), self.fragment_stamp(request)]
        return make_template_fragment_key(f"admin.facts.{self.opts.label}", vary)

    def cached(self, request, name: str, compute: Callable):
        """`compute()` for this request's query string and language, until the stamp moves.
        All of a page's values are one cache entry, read once, written once by the view."""
        if not hasattr(request, "admin_facts"):
            request.admin_facts = caches["fragments"].get(self._facts_key(request)) or {}
            request.admin_facts_computed = False
        if name not in request.admin_facts:
            request.admin_facts[name] = compute()
            request.admin_facts_computed = True
        return request.admin_facts[name]

    def get_paginator(self, request, queryset, *args, **kwargs):
        paginator = super().get_paginator(request, queryset, *args, **kwargs)
        paginator.count = self.cached(request, "count", queryset.count)
        return paginator

    def get_changelist(self, request, **kwargs):
        return CachedResultsChangeList

    def changelist_view(self, request, extra_context=None):
        context = {"fragment_stamp": self.fragment_stamp(request), **(extra_context or {})}
        response = super().changelist_view(request, context)
        if getattr(request, "admin_facts_computed", False):
            caches["fragments"].set(
                self._facts_key(request), request.admin_facts, fragments.TIMEOUT
            )
        return response


class CachedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A relation's filter in a CachedResultsAdmin, its choices (a query) from the cache."""

    def field_choices(self, field, request, model_admin):
        compute = super().field_choices
        return model_admin.cached(
            request, f"choices.{self.field_path}", lambda: compute(field, request, model_admin)
        )


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

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from members.models import PersonRole
from portal.prefectures import PREFECTURES

from . import services
from .forms import IssueAdminForm
from .models import AddressProblem, Issue, Masthead, Subscriber, SubscriptionEvent, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name_en"]}


class SubscriptionEventInline(admin.TabularInline):
    model = SubscriptionEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "action", "source", "detail"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "person", "confirmed_at", "unsubscribed_at", "bounced_at"]
    list_select_related = ["person"]
    list_filter = [
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("unsubscribed_at", admin.EmptyFieldListFilter),
        ("bounced_at", admin.EmptyFieldListFilter),
        "topics",
    ]
    search_fields = ["email", "name"]
    raw_id_fields = ["person"]
    filter_horizontal = ["topics"]
    inlines = [SubscriptionEventInline]


@admin.register(Masthead)
class MastheadAdmin(admin.ModelAdmin):
    list_display = ["name"]


@admin.register(AddressProblem)
class AddressProblemAdmin(admin.ModelAdmin):
    """The secretariat's to-do list of bounced addresses: fix the contact, then resolve."""

    list_display = ["subscriber", "person", "reason", "created_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["subscriber__person__organisation"]
    search_fields = ["subscriber__email", "reason"]
    readonly_fields = ["subscriber", "person", "reason", "created_at", "resolved_at"]
    actions = ["resolve"]

    @admin.display(description=_("member contact"))
    def person(self, obj):
        person = obj.subscriber.person
        return f"{person} ({person.organisation})" if person else "—"

    @admin.action(description=_("Mark as resolved (the address may receive mail again)"))
    def resolve(self, request, queryset):
        now = timezone.now()
        ids = list(
            queryset.filter(resolved_at__isnull=True).values_list("subscriber_id", flat=True)
        )
        queryset.filter(resolved_at__isnull=True).update(resolved_at=now)
        Subscriber.objects.filter(pk__in=ids).update(bounced_at=None, bounce_score=0)

    def has_add_permission(self, request):
        return False


WORKFLOW = {
    "test": _("Send a test to me"),
    "approve": _("Approve"),
    "send": _("Send"),
    "draft": _("Back to draft"),
}


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    """Draft → test send to the author → approval by a second user → send (now or later)."""

    form = IssueAdminForm
    change_form_template = "admin/newsletter/issue/change_form.html"
    list_display = ["subject", "status", "visibility", "created_by", "approved_by", "sent_at"]
    list_filter = ["status", "visibility", "topics"]
    list_select_related = ["created_by", "approved_by"]
    search_fields = ["subject"]
    filter_horizontal = ["membership_classes", "blocks"]
    date_hierarchy = "created_at"
    WORKFLOW_FIELDS = [
        "status",
        "created_by",
        "test_sent_at",
        "approved_by",
        "approved_at",
        "sent_at",
    ]

    # Read-only, the audience's codes are shown by name (石川県, not [17]).
    SHOWN_BY_NAME = {"prefectures": "prefecture_names", "roles": "role_names"}

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.status != Issue.Status.DRAFT

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if self._frozen(obj):
            # The codes stay read-only too, so that the form has no field to post them in.
            fields = [*IssueAdminForm.Meta.fields, *self.SHOWN_BY_NAME.values()]
            return [*fields, "recipients", *self.WORKFLOW_FIELDS]
        return ["recipients", *self.WORKFLOW_FIELDS]

    @admin.display(description=_("only prefectures"))
    def prefecture_names(self, obj):
        names = dict(PREFECTURES)
        return ", ".join(str(names.get(code, code)) for code in obj.prefectures) or "-"

    @admin.display(description=_("only contacts with the roles"))
    def role_names(self, obj):
        names = dict(PersonRole.Kind.choices)
        return ", ".join(str(names.get(kind, kind)) for kind in obj.roles) or "-"

    def get_fieldsets(self, request, obj=None):
        audience = ["membership_classes", "blocks", "prefectures", "roles"]
        if self._frozen(obj):
            audience = [self.SHOWN_BY_NAME.get(f, f) for f in audience]
        fieldsets = [
            (None, {"fields": ["subject", "body", "masthead", "topics", "visibility"]}),
            (
                _("Audience"),
                {
                    "fields": audience,
                    "description": _(
                        "Subscribers of any of the topics, narrowed by each filter that is set."
                    ),
                },
            ),
            (_("Sending"), {"fields": ["send_at"]}),
        ]
        if obj is not None:
            fieldsets.append((_("Workflow"), {"fields": ["recipients", *self.WORKFLOW_FIELDS]}))
        return fieldsets

    @admin.display(description=_("recipients now"))
    def recipients(self, obj):
        if obj.mailing_id:
            return obj.mailing.deliveries.count()
        return services.recipient_count(obj)

    def get_changeform_initial_data(self, request):
        return {"masthead": Masthead.objects.order_by("pk").first()}

    def save_model(self, request, obj, form, change):
        services.sync_member_subscribers()  # so that the page's recipient count is current
        if not change:
            obj.created_by = request.user
        elif form.changed_data:
            obj.test_sent_at = None  # what was tested is not what will be sent
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        """Only a draft is deleted, by those with the delete permission."""
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == Issue.Status.DRAFT)

    def get_urls(self):
        return [
            path(
                "<int:pk>/workflow/<str:step>/",
                self.admin_site.admin_view(require_POST(self.workflow_view)),
                name="newsletter_issue_workflow",
            ),
            *super().get_urls(),
        ]

    def workflow_view(self, request, pk, step):
        if step not in WORKFLOW or not self.has_change_permission(request):
            raise PermissionDenied
        issue = get_object_or_404(Issue, pk=pk)
        try:
            if step == "test":
                services.request_test_send(issue, request.user)
                done = _("A test goes to %(email)s.") % {"email": request.user.email}
            elif step == "approve":
                services.approve(issue, request.user)
                done = _("The issue is approved and may be sent.")
            elif step == "send":
                later = issue.send_at if issue.send_at and issue.send_at > timezone.now() else None
                services.schedule(issue, send_at=later)
                done = _("Sending has started.") if later is None else _("Sending is scheduled.")
            else:
                services.back_to_draft(issue)
                done = _("The issue is a draft again; it needs a new test and approval.")
        except services.WorkflowError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:newsletter_issue_change", pk)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["workflow_steps"] = self._steps(obj) if obj else []
        # Sent: a worker fixes the recipients and starts the mailing in a moment.
        context["starting"] = bool(
            obj
            and obj.status == Issue.Status.SCHEDULED
            and obj.send_at <= timezone.now()
            and not obj.mailing_id
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def _steps(issue):
        steps = {
            Issue.Status.DRAFT: ["test", "approve"],
            Issue.Status.APPROVED: ["send", "draft"],
            Issue.Status.SCHEDULED: ["draft"],
        }.get(issue.status, [])
        return [(step, WORKFLOW[step]) for step in steps]

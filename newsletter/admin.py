from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Mailing, Subscriber, SubscriptionEvent, Topic


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


def _count(status: str) -> Count:
    return Count("deliveries", filter=Q(deliveries__status=status))


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    """Mailings are started by the apps that send them; here they are watched, not edited."""

    list_display = ["name", "status", "queued", "sent", "failed", "created_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = ["name", "renderer", "status", "pause_reason", "created_by", "finished_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                queued_count=_count(Delivery.Status.QUEUED) + _count(Delivery.Status.SENDING),
                sent_count=_count(Delivery.Status.SENT),
                failed_count=_count(Delivery.Status.FAILED),
            )
        )

    @admin.display(description=_("queued"), ordering="queued_count")
    def queued(self, obj):
        return obj.queued_count

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count

    def has_add_permission(self, request):
        return False

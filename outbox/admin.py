from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import engine
from .models import Delivery, Mailing


def _count(status: str) -> Count:
    return Count("deliveries", filter=Q(deliveries__status=status))


def progress(mailing: Mailing) -> dict:
    """Counts for the live view: one aggregate over the mailing's deliveries."""

    def count(**conditions):
        return Count("pk", filter=Q(**conditions))

    counts = mailing.deliveries.aggregate(
        queued=count(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]),
        sent=count(status=Delivery.Status.SENT),
        failed=count(status=Delivery.Status.FAILED),
        last_minute=count(
            status=Delivery.Status.SENT, sent_at__gte=timezone.now() - timedelta(seconds=60)
        ),
    )
    rate = counts.pop("last_minute") / 60
    remaining = counts["queued"]
    return {
        **counts,
        "total": counts["queued"] + counts["sent"] + counts["failed"],
        "remaining": remaining,
        "rate": round(rate, 1),
        "eta_seconds": round(remaining / rate) if rate and remaining else None,
        "status": mailing.status,
        "status_display": str(mailing.get_status_display()),
        "pause_reason": mailing.pause_reason,
    }


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    """Mailings are started by the apps that send them; here they are watched, paused and
    resumed, not edited."""

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

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/progress.json",
                view(self.progress_view),
                name="outbox_mailing_progress",
            ),
            path("<int:pk>/pause/", view(self.pause_view), name="outbox_mailing_pause"),
            path("<int:pk>/resume/", view(self.resume_view), name="outbox_mailing_resume"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The progress page: counts, rate and time left, refreshed by static/js."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        # What the mailing sends (a newsletter issue, an award notification) points at it
        # one-to-one: linked here without naming its app.
        relations = [relation for relation in Mailing._meta.related_objects if relation.one_to_one]
        mailing = get_object_or_404(
            Mailing.objects.select_related(*(relation.name for relation in relations)),
            pk=object_id,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": mailing.name,
            "opts": self.model._meta,
            "mailing": mailing,
            "origins": self._origin_links(mailing, relations),
            "progress": progress(mailing),
            "failures": mailing.deliveries.filter(status=Delivery.Status.FAILED)[:50],
        }
        return TemplateResponse(request, "admin/outbox/mailing/progress.html", context)

    def _origin_links(self, mailing: Mailing, relations) -> list[tuple[object, str]]:
        links = []
        for relation in relations:
            origin = getattr(mailing, relation.get_accessor_name(), None)
            if origin is not None and self.admin_site.is_registered(relation.related_model):
                opts = origin._meta
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[origin.pk])
                links.append((origin, url))
        return links

    def progress_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return JsonResponse(progress(get_object_or_404(Mailing, pk=pk)))

    @staticmethod
    def _act(request, pk, done: bool, success, refused):
        messages.add_message(
            request, messages.SUCCESS if done else messages.WARNING, success if done else refused
        )
        return redirect("admin:outbox_mailing_change", pk)

    def pause_view(self, request, pk):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        done = engine.pause(pk, str(_("paused by %(user)s") % {"user": request.user}))
        return self._act(request, pk, done, _("Sending is paused."), _("It was not sending."))

    def resume_view(self, request, pk):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        done = engine.resume(pk)
        return self._act(request, pk, done, _("Sending resumed."), _("It was not paused."))

"""The secretariat's screens for events: an event with its sessions and materials, and the
registrations (名簿) with their export. The work an action starts (invoices, certificates, the
feedback survey) runs in a task, enqueued once the admin's transaction commits."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal import names
from portal.admin import NormalisedFieldsAdmin
from portal.exports import export_actions
from portal.uploads import check_attachment, safe_name

from . import billing, tasks
from .models import Event, Material, Registration, Session


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["title", "starts_at", "ends_at", "capacity", "required"]


class MaterialForm(forms.ModelForm):
    """A document for participants: typed by its bytes as every upload (PDF, images, Office
    files; size and unpacked size limited), kept under a random name; the name it had is
    what a participant downloads it as."""

    class Meta:
        model = Material
        fields = ["title", "file", "release"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if isinstance(upload, UploadedFile):
            checked = check_attachment(upload)
            name = safe_name(upload.name)
            if not name.lower().endswith(f".{checked.extension}"):
                stem = name.rsplit(".", 1)[0] if "." in name else name
                name = f"{stem}.{checked.extension}"
            self.instance.file_name = name
            self.instance.content_type = checked.content_type
            upload.name = f"{uuid.uuid4().hex}.{checked.extension}"
        return upload


class MaterialInline(admin.TabularInline):
    model = Material
    form = MaterialForm
    extra = 0
    fields = ["title", "file", "release", "file_name"]
    readonly_fields = ["file_name"]


def _enqueue(task, ids) -> None:
    for pk in ids:
        transaction.on_commit(lambda pk=pk: task.delay(pk))


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "published",
        "block",
        "first_session",
        "held_places",
        "on_the_day",
    ]
    list_filter = ["kind", "published", "block"]
    list_select_related = ["block"]
    search_fields = ["title", "venue", "description"]
    filter_horizontal = ["classes"]
    inlines = [SessionInline, MaterialInline]
    actions = ["issue_fee_invoices", "issue_certificates", "send_feedback_survey"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                first_starts_at=Min("sessions__starts_at"),
                held=Count(
                    "registrations",
                    filter=Q(registrations__status__in=Registration.HOLDING),
                    distinct=True,
                ),
            )
        )

    @admin.display(description=_("First session"), ordering="first_starts_at")
    def first_session(self, event):
        return event.first_starts_at

    @admin.display(description=_("Places taken"), ordering="held")
    def held_places(self, event):
        return f"{event.held} / {event.capacity}"

    @admin.display(description=_("On the day and after"))
    def on_the_day(self, event):
        """The secretariat's pages of the event: check-in, the sign-in sheet, the report."""
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("events:check_in", args=[event.pk]),
            _("Check-in"),
            reverse("events:sign_in_sheet", args=[event.pk]),
            _("Sign-in sheet"),
            reverse("events:report", args=[event.pk]),
            _("Report"),
        )

    @admin.action(description=_("Issue the participants' fee invoices"))
    def issue_fee_invoices(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        unlinked = Registration.objects.filter(
            event__in=ids,
            status__in=billing.BILLABLE,
            charge__gt=0,
            invoice__isnull=True,
            organisation__isnull=True,
        ).count()
        _enqueue(tasks.issue_fee_invoices, ids)
        self.message_user(
            request,
            _("The fee invoices of %(count)d event(s) are being issued.") % {"count": len(ids)},
        )
        if unlinked:
            self.message_user(
                request,
                _(
                    "Registrations owing a fee without an organisation: %(count)d. Link "
                    "them to an organisation in the registry first, then issue again."
                )
                % {"count": unlinked},
                messages.WARNING,
            )

    @admin.action(description=_("Issue the certificates of completion"))
    def issue_certificates(self, request, queryset):
        ended = (
            queryset.filter(kind=Event.Kind.TRAINING)
            .annotate(last_end=Max("sessions__ends_at"))
            .filter(last_end__lte=timezone.now())
        )
        trainings = list(ended.values_list("pk", flat=True))
        _enqueue(tasks.issue_certificates, trainings)
        self.message_user(
            request,
            _(
                "Certificates are being numbered for %(count)d training(s), for the "
                "participants who attended every required session."
            )
            % {"count": len(trainings)},
        )
        if len(trainings) < queryset.count():
            self.message_user(
                request,
                _(
                    "Certificates of completion are for training only, and are issued once "
                    "the training has ended."
                ),
                messages.WARNING,
            )

    @admin.action(description=_("Send the participants' feedback survey"))
    def send_feedback_survey(self, request, queryset):
        ready = list(queryset.filter(feedback_survey__isnull=False).values_list("pk", flat=True))
        _enqueue(tasks.send_feedback_survey, ready)
        if ready:
            self.message_user(
                request,
                _(
                    "The feedback survey is being sent to the institutions of %(count)d "
                    "event(s)' attendees, through the survey's own requests."
                )
                % {"count": len(ready)},
            )
        if len(ready) < queryset.count():
            self.message_user(
                request,
                _("Choose the event's feedback survey first."),
                messages.WARNING,
            )


def _attended(registration) -> int:
    return registration.attended_sessions


ROSTER = export_actions(
    "registrations",
    [
        (_("Organisation"), lambda r: r.organisation.name if r.organisation else r.affiliation),
        (_("Department"), lambda r: r.department),
        (_("Name"), lambda r: names.person_name(r.family_name, r.given_name)),
        (_("Reading"), lambda r: names.person_name(r.family_name_kana, r.given_name_kana)),
        (_("Email address"), lambda r: r.email),
        (_("Status"), lambda r: str(r.get_status_display())),
        (_("Fee (yen)"), lambda r: r.fee),
        (_("Sessions attended"), _attended),
    ],
    lambda qs: qs.select_related("organisation").annotate(
        attended_sessions=Count("seats", filter=Q(seats__attended_at__isnull=False))
    ),
)


@admin.register(Registration)
class RegistrationAdmin(NormalisedFieldsAdmin, admin.ModelAdmin):
    """Who registered: places are given and taken back only by the event's services (the
    waiting list follows), so the status and the money are read-only here."""

    list_display = [
        "participant",
        "reading",
        "institution",
        "event",
        "status",
        "member",
        "fee",
        "charge",
        "certificate",
    ]
    list_filter = ["event", "status", "member", "organisation__block"]
    list_select_related = ["event", "organisation"]
    search_fields = [
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "email",
        "affiliation",
        "affiliation_kana",
        "organisation__name",
    ]
    autocomplete_fields = ["organisation"]
    fields = [
        "event",
        "status",
        "organisation",
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "email",
        "affiliation",
        "affiliation_kana",
        "department",
        "member",
        "fee",
        "charge",
        "one_invoice_per_institution",
        "invoice",
        "registered_by",
        "created_at",
        "cancelled_at",
        "certificate",
        "certificate_sha256_label",
    ]
    readonly_fields = [
        "event",
        "status",
        "member",
        "fee",
        "charge",
        "one_invoice_per_institution",
        "invoice",
        "registered_by",
        "created_at",
        "cancelled_at",
        "certificate",
        "certificate_sha256_label",
    ]
    actions = ROSTER

    def has_add_permission(self, request):
        return False  # a place is taken through the event's page, under its lock

    def has_delete_permission(self, request, obj=None):
        return False  # cancelling frees the place and promotes; deleting would not

    @admin.display(description=_("Participant"), ordering="family_name_kana")
    def participant(self, registration):
        return names.display_name(registration)

    @admin.display(description=_("Reading"), ordering="family_name_kana")
    def reading(self, registration):
        return names.person_name(registration.family_name_kana, registration.given_name_kana)

    @admin.display(description=_("Organisation"))
    def institution(self, registration):
        if registration.organisation is not None:
            return registration.organisation.name
        return registration.affiliation

    @admin.display(description=_("Certificate number"))
    def certificate(self, registration):
        if registration.certificate_number is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("events:certificate", args=[registration.pk]),
            registration.certificate_display_number,
        )

    @admin.display(description=_("Certificate SHA-256"))
    def certificate_sha256_label(self, registration):
        return registration.certificate_sha256 or "—"

import copy
import mimetypes

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from members import admin as member_admin
from members import fiscal
from members import selectors as member_selectors
from members.models import MembershipYear, Organisation
from portal import tabular
from portal.admin import NormalisedFieldsAdmin

from . import documents, exports, pickers, reconciliation, selectors, services
from . import units as dues_units
from .documents import zip_response
from .models import (
    Allocation,
    BillingProfile,
    Credit,
    DuesRun,
    Invoice,
    InvoiceLine,
    Issuer,
    PayerAlias,
    Payment,
    ReminderRule,
    ReminderSent,
    StatementEntry,
    StatementImport,
    WriteOff,
    overdue_q,
)


class ReadOnlyInline(admin.TabularInline):
    """Rows written by a service (invoice lines, allocations, statement entries): shown only."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class BillingProfileInline(NormalisedFieldsAdmin, admin.StackedInline):
    model = BillingProfile
    can_delete = False


# The registry's organisation page shows the billing profile as well. members imports no
# area, so this app registers that page again with the profile added.
admin.site.unregister(Organisation)


@admin.register(Organisation)
class OrganisationAdmin(member_admin.OrganisationAdmin):
    inlines = [*member_admin.OrganisationAdmin.inlines, BillingProfileInline]


class _StaffLink:
    """A stored file as the admin's file widget shows it, linked to a staff view."""

    def __init__(self, file, url):
        self.file, self.url = file, url

    def __str__(self):
        return str(self.file)


class SealWidget(AdminFileWidget):
    """The seal upload, its current image linked to `IssuerAdmin.seal_view`: MEDIA_ROOT is
    not served, so the admin's own link would answer 404."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            url = reverse("admin:dues_issuer_seal")
            context["widget"]["value"] = _StaffLink(value, url)
        return context


class MembershipYearForm(forms.ModelForm):
    """A membership year as the secretariat edits it; a change of its dues once the year's
    invoice is issued corrects that invoice (dues.units), or is refused with the reason. (The
    admin gives it its model and fields.)"""

    def clean(self):
        cleaned = super().clean()
        self.correction = None
        if self.instance.pk is None or self.errors:
            return cleaned
        before = MembershipYear.objects.select_related("membership_class").get(pk=self.instance.pk)
        after = copy.copy(before)
        for field in ("membership_class", "units", "amount_due"):
            setattr(after, field, cleaned.get(field))
        try:
            self.correction = dues_units.correction_for(before, after)
        except dues_units.CannotCorrect as refusal:
            raise forms.ValidationError(
                _(
                    "%(reason)s Correct or credit it by hand; the membership year is left as "
                    "it was."
                )
                % {"reason": refusal}
            ) from None
        return cleaned


# The registry's membership years: members imports no area, so this app registers their page
# again, so that a change of the dues of an invoiced year corrects the invoice with it.
admin.site.unregister(MembershipYear)


@admin.register(MembershipYear)
class MembershipYearAdmin(member_admin.MembershipYearAdmin):
    form = MembershipYearForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.correction is not None:
            new = dues_units.issue(form.correction)
            self.message_user(
                request,
                _(
                    "Invoice %(new)s (%(total)s yen) corrects %(old)s, which is cancelled; the "
                    "billing contact is told by mail."
                )
                % {
                    "new": new.display_number,
                    "total": f"{new.total:,}",
                    "old": form.correction.invoice.display_number,
                },
                messages.SUCCESS,
            )


@admin.register(Issuer)
class IssuerAdmin(NormalisedFieldsAdmin, SimpleHistoryAdmin):
    list_display = ["name", "registration_number", "registered_from", "registered_until"]
    formfield_overrides = {models.ImageField: {"widget": SealWidget}}

    def has_add_permission(self, request):
        # One issuer only, and only for a user who may add one.
        return super().has_add_permission(request) and not Issuer.objects.exists()

    def _shown_only(self, request, obj) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = [field for field in super().get_fields(request, obj) if field != "seal"]
        if self._shown_only(request, obj):
            # Shown read-only, a file field would link to MEDIA_ROOT: link the view instead.
            fields = ["seal" if field == "seal_image" else field for field in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "seal"] if self._shown_only(request, obj) else fields

    @admin.display(description=_("seal image"))
    def seal(self, issuer):
        if not issuer.seal_image:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:dues_issuer_seal"), issuer.seal_image
        )

    def get_urls(self):
        seal = self.admin_site.admin_view(self.seal_view)
        return [path("seal/", seal, name="dues_issuer_seal"), *super().get_urls()]

    def seal_view(self, request):
        """The issuer's seal image, for staff who may view the issuer."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        issuer = Issuer.objects.first()
        if issuer is None or not issuer.seal_image:
            raise Http404
        content_type = mimetypes.guess_type(issuer.seal_image.name)[0]
        return FileResponse(issuer.seal_image.open("rb"), content_type=content_type)


class DuesRunForm(forms.ModelForm):
    """The fiscal year to invoice; before that year's units deadline the run waits for an
    explicit confirmation, which the form asks for (naming the deadline) only then."""

    confirm_before_deadline = forms.BooleanField(
        label=_("Issue the invoices before the units deadline"),
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = DuesRun
        fields = ["fiscal_year"]

    def clean(self):
        services.check_dues_run_can_start()
        cleaned = super().clean()
        fiscal_year = cleaned.get("fiscal_year")
        deadline = member_selectors.units_deadline(fiscal_year) if fiscal_year else None
        if deadline is not None and timezone.now() < deadline:
            shown = formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
            self.fields["confirm_before_deadline"].widget = forms.CheckboxInput()
            # The bound field (made while the fields were cleaned) carries the label shown.
            self["confirm_before_deadline"].label = _(
                "Issue the invoices before the units deadline (%(deadline)s)"
            ) % {"deadline": shown}
            if not cleaned.get("confirm_before_deadline"):
                self.add_error(
                    "confirm_before_deadline",
                    _(
                        "Members can still choose their units for FY%(year)d until "
                        "%(deadline)s. Invoices issued now bill the units as they stand, and "
                        "each later change of units issues a corrected invoice. Tick the box "
                        "to issue them anyway."
                    )
                    % {"year": fiscal_year, "deadline": shown},
                )
        return cleaned


@admin.register(DuesRun)
class DuesRunAdmin(admin.ModelAdmin):
    """Adding a dues run starts it: "issue invoices for FY N"; the list shows progress."""

    form = DuesRunForm

    list_display = [
        "fiscal_year",
        "started_by",
        "started_at",
        "progress",
        "created",
        "finished_at",
    ]
    list_select_related = ["started_by"]

    def get_fields(self, request, obj=None):
        # The confirmation belongs to starting a run, not to the run shown afterwards.
        return ["fiscal_year"] if obj else ["fiscal_year", "confirm_before_deadline"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, run):
        return f"{run.processed} / {run.targeted}"

    def changelist_view(self, request, extra_context=None):
        # A worker issues the invoices: while one is at it, the list reloads itself.
        running = DuesRun.objects.filter(finished_at__isnull=True).exists()
        return super().changelist_view(request, {**(extra_context or {}), "running": running})

    def save_model(self, request, obj, form, change):
        obj.started_by = request.user
        services.start_dues_run(obj)


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["description", "quantity", "unit_price", "tax_category"]


# What an invoice's admin page shows, all read-only: an issued invoice changes only through
# a correction (a new invoice) or a payment. The stored PDFs are links to the staff's own
# download views, never to MEDIA_ROOT, which is not served.
INVOICE_FIELDS = [
    "fiscal_year",
    "number",
    "organisation",
    "membership_year",
    "replaces",
    "addressee",
    "delivery",
    "postal_address",
    "with_seal",
    "issued_on",
    "due_on",
    "total",
    "status_shown",
    "invoice_document",
    "pdf_sha256",
    "notice_sent_at",
    "posted_on",
    "paid_on",
    "receipt_document",
    "receipt_sha256",
]


def status_with_overdue(invoice) -> str:
    if not invoice.is_overdue:
        return invoice.get_status_display()
    days = invoice.days_overdue
    return ngettext(
        "%(status)s, overdue by %(days)d day", "%(status)s, overdue by %(days)d days", days
    ) % {"status": invoice.get_status_display(), "days": days}


class OverdueFilter(admin.SimpleListFilter):
    """Open invoices past their due date, today in Asia/Tokyo (`models.overdue_q`)."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        overdue = overdue_q(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Issued invoices are immutable: corrections are new invoices that reference them."""

    list_display = [
        "display_number",
        "organisation",
        "fiscal_year",
        "total",
        "status_shown",
        "issued_on",
        "due_on",
        "notice_sent_at",
        "invoice_document",
    ]
    list_filter = [
        "fiscal_year",
        "status",
        OverdueFilter,
        "delivery",
        ("posted_on", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name", "organisation__name_kana", "addressee"]
    inlines = [InvoiceLineInline]
    actions = ["download_for_posting", "mark_posted", *exports.INVOICES]
    fields = INVOICE_FIELDS
    readonly_fields = INVOICE_FIELDS

    @admin.display(description=_("Invoice number"), ordering="number")
    def display_number(self, obj):
        return obj.display_number

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """An issued invoice is shown, never saved: its page has no form to save. The
        permission itself (for the list's actions and corrections) is the model's."""
        return obj is None and super().has_change_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {"may_correct": self.has_change_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description=_("PDF"))
    def invoice_document(self, invoice):
        url = reverse("admin:dues_invoice_pdf", args=[invoice.pk])
        return format_html('<a href="{}">{}</a>', url, _("Invoice PDF"))

    @admin.display(description=_("receipt PDF"))
    def receipt_document(self, invoice):
        if invoice.status != Invoice.Status.PAID:
            return "—"
        url = reverse("admin:dues_invoice_receipt", args=[invoice.pk])
        return format_html('<a href="{}">{}</a>', url, _("Receipt PDF"))

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, invoice):
        """The status, with the overdue mark an open invoice past its due date carries."""
        return status_with_overdue(invoice)

    @admin.action(description=_("Download the PDFs of the selected invoices (ZIP) to print"))
    def download_for_posting(self, request, queryset):
        stored = queryset.exclude(status=Invoice.Status.CANCELLED).exclude(pdf="")
        missing = queryset.exclude(status=Invoice.Status.CANCELLED).filter(pdf="").count()
        if missing:
            self.message_user(
                request,
                ngettext(
                    "%d invoice has no PDF yet (its notice is still queued): try again shortly.",
                    "%d invoices have no PDF yet (their notices are still queued): try again "
                    "shortly.",
                    missing,
                )
                % missing,
                messages.WARNING,
            )
            return None
        return zip_response(stored, f"invoices-{timezone.localdate():%Y%m%d}")

    @admin.action(
        description=_("Mark the selected invoices as posted today"), permissions=["change"]
    )
    def mark_posted(self, request, queryset):
        count = queryset.filter(posted_on__isnull=True).update(posted_on=timezone.localdate())
        self.message_user(
            request,
            ngettext("%d invoice marked as posted.", "%d invoices marked as posted.", count)
            % count,
            messages.SUCCESS,
        )

    def get_urls(self):
        collection = self.admin_site.admin_view(self.collection_view)
        correct = self.admin_site.admin_view(self.correct_view)
        invoice_pdf = self.admin_site.admin_view(self.invoice_pdf_view)
        receipt_pdf = self.admin_site.admin_view(self.receipt_pdf_view)
        open_invoices = self.admin_site.admin_view(self.open_invoices_view)
        return [
            path("collection/", collection, name="dues_invoice_collection"),
            path("open/", open_invoices, name="dues_invoice_open"),
            path("<int:pk>/correct/", correct, name="dues_invoice_correct"),
            path("<int:pk>/pdf/", invoice_pdf, name="dues_invoice_pdf"),
            path("<int:pk>/receipt/", receipt_pdf, name="dues_invoice_receipt"),
            *super().get_urls(),
        ]

    def _document(self, request, pk, ensure, field, name, **filters):
        """A stored PDF of any invoice, for staff who may view invoices (the member URL
        stays the member's own)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice.objects.only("pk"), pk=pk, **filters)
        return documents.pdf_response(ensure(invoice.pk), field, name)

    def open_invoices_view(self, request):
        """The open invoices of `?organisation=<id>`, labelled, for the invoice pickers."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        organisation = request.GET.get("organisation", "")
        invoices = selectors.open_invoices(int(organisation) if organisation.isdigit() else None)
        return JsonResponse(
            {"invoices": [{"id": i.pk, "label": pickers.invoice_label(i)} for i in invoices]}
        )

    def invoice_pdf_view(self, request, pk):
        return self._document(request, pk, documents.ensure_invoice_pdf, "pdf", "invoice")

    def receipt_pdf_view(self, request, pk):
        return self._document(
            request,
            pk,
            documents.ensure_receipt_pdf,
            "receipt_pdf",
            "receipt",
            status=Invoice.Status.PAID,
        )

    def correct_view(self, request, pk):
        """Issue a corrected invoice: a new number that cites the old one, which is cancelled."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice.objects.select_related("membership_year"), pk=pk)
        data = request.POST if request.method == "POST" else None
        form = CorrectionForm(
            data, initial={"addressee": invoice.addressee, "due_on": invoice.due_on}
        )
        lines = CorrectionLines(data, initial=services.correction_lines(invoice), prefix="line")
        if data is not None and form.is_valid() and lines.is_valid():
            wanted = [
                {field: line[field] for field in CorrectionLineForm.Meta.fields}
                for line in lines.cleaned_data
                if line and not line.get("DELETE")
            ]
            try:
                _check_keeps_the_dues(invoice, wanted)
                new = services.correct_invoice(invoice, lines=wanted, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Invoice %(new)s corrects %(old)s, which is cancelled.")
                    % {"new": new.display_number, "old": invoice.display_number},
                    messages.SUCCESS,
                )
                return redirect("admin:dues_invoice_change", new.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Correct invoice %(number)s") % {"number": invoice.display_number},
            "opts": self.model._meta,
            "invoice": invoice,
            "form": form,
            "lines": lines,
        }
        return TemplateResponse(request, "admin/dues/invoice_correct.html", context)

    def collection_view(self, request):
        """Billed, collected and outstanding dues by class and by block for one fiscal year."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        years = list(
            Invoice.objects.values_list("fiscal_year", flat=True)
            .distinct()
            .order_by("-fiscal_year")
        )
        try:
            fiscal_year = int(request.GET.get("fy") or years[0])
        except (IndexError, ValueError):
            fiscal_year = fiscal.current_fiscal_year()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Dues collection"),
            "opts": self.model._meta,
            "years": years,
            "fiscal_year": fiscal_year,
            "tables": [
                (_("By membership class"), selectors.collection_summary(fiscal_year, "class")),
                (_("By regional block"), selectors.collection_summary(fiscal_year, "block")),
            ],
            "totals": selectors.collection_totals(fiscal_year),
            "overdue": selectors.overdue_invoices(fiscal_year),
        }
        return TemplateResponse(request, "admin/dues/collection.html", context)


def _check_keeps_the_dues(invoice, lines: list[dict]) -> None:
    """A dues invoice's correction keeps the membership year's dues as they stand, so that it
    never bills other units than the registry's (which set the votes)."""
    if invoice.membership_year_id is None:
        return
    for line in services.dues_lines(invoice.membership_year):
        if line not in lines:
            raise ValidationError(
                _(
                    "Keep the line of the membership year's dues as it stands (%(units)s × "
                    "%(price)s yen). To change the units, change them on the membership year: "
                    "that corrects this invoice itself."
                )
                % {"units": line["quantity"], "price": f"{line['unit_price']:,}"}
            )


class CorrectionForm(forms.Form):
    addressee = forms.CharField(label=_("addressee"), max_length=300)
    due_on = forms.DateField(label=_("due on"))


class CorrectionLineForm(forms.ModelForm):
    class Meta:
        model = InvoiceLine
        fields = ["description", "quantity", "unit_price", "tax_category"]


CorrectionLines = forms.formset_factory(
    CorrectionLineForm, extra=1, can_delete=True, min_num=1, validate_min=True
)


class PaymentForm(pickers.OpenInvoicePicker, forms.ModelForm):
    invoices = pickers.OpenInvoicesField(
        label=_("invoices paid"),
        required=False,
        help_text=_(
            "The open invoices of the organisation chosen above. Leave empty to pay its "
            "oldest open invoices first."
        ),
    )

    class Meta:
        model = Payment
        fields = ["organisation", "received_on", "amount", "method", "payer_name", "note"]


class AllocationInline(ReadOnlyInline):
    model = Allocation
    fields = ["invoice", "amount"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Payments are recorded through the form below and then kept as they are."""

    form = PaymentForm
    list_display = ["received_on", "organisation", "amount", "method", "payer_name"]
    list_filter = ["method", "received_on"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name", "organisation__name_kana", "payer_name"]
    autocomplete_fields = ["organisation"]
    actions = exports.PAYMENTS

    def get_inlines(self, request, obj):
        return [] if obj is None else [AllocationInline]

    def get_fields(self, request, obj=None):
        fields = list(PaymentForm.Meta.fields)
        return [*fields, "invoices"] if obj is None else [*fields, "recorded_by", "recorded_at"]

    def has_change_permission(self, request, obj=None):
        """A recorded payment (typed in or from a bank statement) is shown, never saved:
        what it pays was allocated when it was recorded."""
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        payment = services.record_payment(
            organisation=data["organisation"],
            received_on=data["received_on"],
            amount=data["amount"],
            method=data["method"],
            invoices=list(data["invoices"]) or None,
            payer_name=data["payer_name"],
            note=data["note"],
            user=request.user,
        )
        obj.pk = payment.pk

    def save_related(self, request, form, formsets, change):
        """Allocations are made by the payment service, not by inline forms."""


class WriteOffForm(pickers.OpenInvoicePicker, forms.ModelForm):
    invoice_field = "invoice"

    organisation = forms.ModelChoiceField(
        label=_("organisation"),
        queryset=Organisation.objects.all(),
        widget=AutocompleteSelect(Invoice._meta.get_field("organisation"), admin.site),
    )
    invoice = pickers.OpenInvoiceField(label=_("invoice"))

    class Meta:
        model = WriteOff
        fields = ["invoice", "amount", "reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("invoice") and cleaned.get("amount"):
            services.check_write_off(cleaned["invoice"], cleaned["amount"])
        return cleaned


@admin.register(WriteOff)
class WriteOffAdmin(admin.ModelAdmin):
    form = WriteOffForm
    fields = ["organisation", "invoice", "amount", "reason"]
    list_display = ["invoice", "amount", "reason", "recorded_by", "recorded_at"]
    list_select_related = ["invoice", "recorded_by"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return ["invoice", "amount", "reason", "recorded_by", "recorded_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        record = services.write_off(obj.invoice, obj.amount, obj.reason, request.user)
        obj.pk = record.pk


class StatementUploadForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("statement file"),
        help_text=_(
            "Zengin format (入出金取引明細 / 振込入金通知) or CSV: date, amount, payer_name."
        ),
    )

    class Meta:
        model = StatementImport
        fields = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.imported = None

    def clean(self):
        upload = self.cleaned_data.get("upload")
        if upload is not None:
            tabular.check_size(upload.size)  # before the file is read into memory
            # The whole import runs here, so a rejected file shows its reasons on the form.
            self.imported = reconciliation.import_statement(upload.read(), upload.name, self.user)
        return self.cleaned_data


class StatementEntryInline(ReadOnlyInline):
    model = StatementEntry
    fields = ["line_no", "booked_on", "payer_name", "amount", "status", "organisation", "note"]


@admin.register(StatementImport)
class StatementImportAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "file_format",
        "entry_count",
        "skipped_lines",
        "uploaded_by",
        "uploaded_at",
    ]
    list_select_related = ["uploaded_by"]
    shown = ["file_name", "file_format", "file_sha256", "skipped_lines", "uploaded_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_total=Count("entries"))

    @admin.display(description=_("lines imported"), ordering="entry_total")
    def entry_count(self, statement):
        return statement.entry_total

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        form = StatementUploadForm

        class BoundUploadForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return BoundUploadForm

    def get_fields(self, request, obj=None):
        return ["upload"] if obj is None else self.shown

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.shown

    def get_inlines(self, request, obj):
        return [] if obj is None else [StatementEntryInline]

    def has_change_permission(self, request, obj=None):
        return False  # an imported statement is shown read-only

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = form.imported.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """The import saved everything already."""

    def response_add(self, request, obj, post_url_continue=None):
        """Say what the import did, new lines and lines seen before, and show its lines."""
        counts = dict(obj.entries.values_list("status").annotate(n=Count("pk")).order_by("status"))
        imported = sum(counts.values())
        matched = counts.get(StatementEntry.Status.MATCHED, 0)
        self.message_user(
            request,
            ngettext(
                "%(file)s: %(count)d new line imported, %(matched)d of them recorded as a "
                "payment.",
                "%(file)s: %(count)d new lines imported, %(matched)d of them recorded as "
                "payments.",
                imported,
            )
            % {"file": obj.file_name, "count": imported, "matched": matched},
            messages.SUCCESS,
        )
        if obj.skipped_lines:
            self.message_user(
                request,
                ngettext(
                    "%(count)d line was imported already from an earlier statement and was "
                    "skipped.",
                    "%(count)d lines were imported already from earlier statements and were "
                    "skipped.",
                    obj.skipped_lines,
                )
                % {"count": obj.skipped_lines},
                messages.WARNING,
            )
        return redirect("admin:dues_statementimport_change", obj.pk)


class StatementEntryForm(pickers.OpenInvoicePicker, forms.ModelForm):
    invoices = pickers.OpenInvoicesField(
        label=_("invoices"),
        required=False,
        help_text=_(
            "The open invoices of the organisation chosen above that this transfer pays. "
            "Leave empty to pay its oldest open invoices first."
        ),
    )

    class Meta:
        model = StatementEntry
        fields = ["organisation", "invoices", "note"]


@admin.register(StatementEntry)
class StatementEntryAdmin(admin.ModelAdmin):
    """The review queue: set the organisation (and invoices) of unsure entries, then confirm."""

    list_display = ["booked_on", "payer_name", "amount", "status", "organisation", "note"]
    list_filter = ["status", "statement"]
    list_select_related = ["organisation"]
    search_fields = ["payer_name"]
    form = StatementEntryForm
    autocomplete_fields = ["organisation"]
    fields = [
        "statement",
        "line_no",
        "booked_on",
        "payer_name",
        "amount",
        "status",
        "organisation",
        "invoices",
        "note",
        "payment",
    ]
    readonly_fields = [
        "statement",
        "line_no",
        "booked_on",
        "payer_name",
        "amount",
        "status",
        "payment",
    ]
    actions = ["confirm", "ignore"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """A confirmed entry stays as it is; the others need the change permission."""
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.payment_id is None)

    @admin.action(description=_("Confirm: record the payment and remember the payer"))
    def confirm(self, request, queryset):
        done = 0
        for entry in queryset:
            try:
                reconciliation.confirm(entry, request.user)
            except forms.ValidationError as error:
                self.message_user(request, f"{entry}: {error.messages[0]}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%d payment recorded.", "%d payments recorded.", done) % done,
                messages.SUCCESS,
            )

    @admin.action(description=_("Ignore (not a dues payment)"))
    def ignore(self, request, queryset):
        queryset.filter(payment__isnull=True).update(status=StatementEntry.Status.IGNORED)


@admin.register(PayerAlias)
class PayerAliasAdmin(admin.ModelAdmin):
    list_display = ["example", "organisation", "key", "created_at"]
    list_select_related = ["organisation"]
    search_fields = ["example", "key", "organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["days_after_due", "active"]
    list_editable = ["active"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["invoice", "rule", "recipient", "sent_at"]
    list_select_related = ["invoice", "rule"]
    list_filter = ["rule"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CreditSettledFilter(admin.SimpleListFilter):
    title = _("settled")
    parameter_name = "settled"

    def lookups(self, request, model_admin):
        return [("no", _("not yet refunded or set off")), ("yes", _("refunded or set off"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(settled_on__isnull=True)
        if self.value() == "yes":
            return queryset.filter(settled_on__isnull=False)
        return queryset


@admin.register(Credit)
class CreditAdmin(admin.ModelAdmin):
    """Money received that is no longer owed (e.g. a participation fee cancelled in time
    after it was paid). Credits are recorded by the services that cancel or correct; the
    secretariat only records how each was settled (refunded or set against an invoice)."""

    list_display = [
        "recorded_at",
        "organisation",
        "invoice",
        "amount",
        "reason",
        "settled_on",
        "settlement",
    ]
    list_filter = [CreditSettledFilter, "recorded_at", "settled_on"]
    list_select_related = ["organisation", "invoice"]
    search_fields = ["organisation__name", "organisation__name_kana", "reason", "settlement"]
    date_hierarchy = "recorded_at"
    fields = [
        "organisation",
        "invoice",
        "amount",
        "reason",
        "recorded_by",
        "recorded_at",
        "settled_on",
        "settlement",
    ]
    readonly_fields = ["organisation", "invoice", "amount", "reason", "recorded_by", "recorded_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

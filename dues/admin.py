import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from members import admin as member_admin
from members import fiscal
from members import selectors as member_selectors
from members.models import MembershipYear, Organisation
from portal import tabular

from . import exports, reconciliation, selectors, services
from . import units as dues_units
from .documents import zip_response
from .models import (
    Allocation,
    BillingProfile,
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


class BillingProfileInline(admin.StackedInline):
    model = BillingProfile
    can_delete = False


# The registry's organisation page shows the billing profile as well. members imports no
# area, so this app registers that page again with the profile added.
admin.site.unregister(Organisation)


@admin.register(Organisation)
class OrganisationAdmin(member_admin.OrganisationAdmin):
    inlines = [*member_admin.OrganisationAdmin.inlines, BillingProfileInline]


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
class IssuerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "registration_number", "registered_from", "registered_until"]

    def has_add_permission(self, request):
        # One issuer only, and only for a user who may add one.
        return super().has_add_permission(request) and not Issuer.objects.exists()


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
    readonly_fields = [
        "fiscal_year",
        "number",
        "organisation",
        "membership_year",
        "replaces",
        "addressee",
        "delivery",
        "postal_address",
        "with_seal",
        "posted_on",
        "issued_on",
        "due_on",
        "total",
        "status",
        "pdf",
        "pdf_sha256",
        "notice_sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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

    @admin.action(description=_("Mark the selected invoices as posted today"))
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
        return [
            path("collection/", collection, name="dues_invoice_collection"),
            path("<int:pk>/correct/", correct, name="dues_invoice_correct"),
            *super().get_urls(),
        ]

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


class PaymentForm(forms.ModelForm):
    invoices = forms.ModelMultipleChoiceField(
        label=_("invoices paid"),
        queryset=Invoice.objects.filter(status=Invoice.Status.ISSUED).select_related(
            "organisation"
        ),
        required=False,
        help_text=_("Leave empty to pay the organisation's oldest open invoices first."),
    )

    class Meta:
        model = Payment
        fields = ["organisation", "received_on", "amount", "method", "payer_name", "note"]

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        others = [
            i
            for i in cleaned.get("invoices") or []
            if i.organisation_id != getattr(organisation, "pk", None)
        ]
        if others:
            raise forms.ValidationError(
                _("Invoice %(number)s belongs to another organisation.")
                % {"number": others[0].display_number}
            )
        return cleaned


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
    raw_id_fields = ["organisation"]
    actions = exports.PAYMENTS

    def get_inlines(self, request, obj):
        return [] if obj is None else [AllocationInline]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*PaymentForm.Meta.fields, "recorded_by"]

    def get_fields(self, request, obj=None):
        fields = list(PaymentForm.Meta.fields)
        return [*fields, "invoices"] if obj is None else [*fields, "recorded_by"]

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


class WriteOffForm(forms.ModelForm):
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
    list_display = ["invoice", "amount", "reason", "recorded_by", "recorded_at"]
    list_select_related = ["invoice", "recorded_by"]
    raw_id_fields = ["invoice"]

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
    list_display = ["file_name", "file_format", "uploaded_by", "uploaded_at"]
    list_select_related = ["uploaded_by"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        form = StatementUploadForm

        class BoundUploadForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return BoundUploadForm

    def get_fields(self, request, obj=None):
        return ["upload"] if obj is None else ["file_name", "file_format", "file_sha256"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["file_name", "file_format", "file_sha256"]

    def get_inlines(self, request, obj):
        return [] if obj is None else [StatementEntryInline]

    def has_change_permission(self, request, obj=None):
        return False  # an imported statement is shown read-only

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = form.imported.pk

    def save_related(self, request, form, formsets, change):
        """The import saved everything already."""


@admin.register(StatementEntry)
class StatementEntryAdmin(admin.ModelAdmin):
    """The review queue: set the organisation (and invoices) of unsure entries, then confirm."""

    list_display = ["booked_on", "payer_name", "amount", "status", "organisation", "note"]
    list_filter = ["status", "statement"]
    list_select_related = ["organisation"]
    search_fields = ["payer_name"]
    raw_id_fields = ["organisation"]
    filter_horizontal = ["invoices"]
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
    raw_id_fields = ["organisation"]


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

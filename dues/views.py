from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from members import fiscal
from members import selectors as member_selectors
from members.permissions import can, require

from . import documents, selectors
from . import units as dues_units
from .forms import BillingProfileForm, UnitsChangeForm


@require("dues.view_own")
def index(request):
    """The organisation's dues: this fiscal year, its billing details, invoices and receipts."""
    organisation = member_selectors.member_organisation(request.roles)
    fiscal_year = fiscal.current_fiscal_year()
    year = member_selectors.membership_year(organisation, fiscal_year)
    invoices = list(selectors.invoices_of(organisation))
    context = {
        "organisation": organisation,
        "membership": member_selectors.current_membership(organisation),
        "fiscal_year": fiscal_year,
        "year": year,
        "year_invoice": selectors.standing_invoice(invoices, year),
        "invoices": invoices,
        "billing": selectors.billing_profile(organisation),
        "may_commit": can(request.roles, "dues.edit_billing_profile"),
    }
    if not context["may_commit"]:
        context["authorities"] = member_selectors.dues_authorities(organisation)
    return render(request, "dues/index.html", context)


@require("members.view_units")
def units(request):
    """Choose the units for the next fiscal year, before the secretariat's deadline.

    The page is the dues area's: what a member owes for a year is billed here. Every contact
    sees the units; only those who commit the organisation's money change them (the others
    are told who does), and a POST by anyone else is refused. Once the year's invoice is
    issued, a change asks for confirmation and then corrects the invoice (`dues.units`)."""
    may_choose = can(request.roles, "members.choose_units")
    if request.method == "POST" and not may_choose:
        raise PermissionDenied
    organisation = member_selectors.member_organisation(request.roles)
    fiscal_year = fiscal.current_fiscal_year() + 1
    chosen = member_selectors.membership_year(organisation, fiscal_year)
    initial = {"units": chosen.units if chosen else None}
    form = UnitsChangeForm(request.POST or None, initial=initial)
    correction = None
    if request.method == "POST" and form.is_valid():
        try:
            corrected = dues_units.change_units(
                organisation,
                fiscal_year,
                form.cleaned_data["units"],
                confirmed=form.cleaned_data["confirm_invoice"],
            )
        except dues_units.ConfirmationNeeded as needed:
            correction = needed.correction
            form = form.confirming(correction.invoice.pk, correction.units)
        except ValidationError as error:
            form.add_error("units", error)
        else:
            messages.success(
                request,
                _("Your units for FY%(year)d are saved.") % {"year": fiscal_year},
            )
            if corrected is not None:
                messages.info(request, _correction_notice(corrected))
            return redirect("dues:units")
    context = {
        "organisation": organisation,
        "membership": member_selectors.current_membership(organisation),
        "form": form if may_choose else None,
        "fiscal_year": fiscal_year,
        "chosen": chosen,
        "invoice": dues_units.current_invoice(chosen),
        "correction": correction,
        "deadline": member_selectors.units_deadline(fiscal_year),
        "authorities": None if may_choose else member_selectors.dues_authorities(organisation),
    }
    return render(request, "dues/units.html", context)


def _correction_notice(invoice) -> str:
    return _(
        "Invoice %(new)s (%(total)s yen) corrects invoice %(old)s, which is cancelled; your "
        "billing contact is told by mail."
    ) % {
        "new": invoice.display_number,
        "total": f"{invoice.total:,}",
        "old": invoice.replaces.display_number,
    }


@require("dues.edit_billing_profile")
def billing_profile(request):
    organisation = member_selectors.member_organisation(request.roles)
    profile = selectors.billing_profile(organisation)
    form = BillingProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, _("The billing details are saved; they apply to invoices issued from now on.")
        )
        return redirect("dues:index")
    context = {
        "organisation": organisation,
        "form": form,
        "title": _("Billing details"),
        "intro": _(
            "How your organisation's invoices are addressed and delivered. Changes apply to "
            "invoices issued from now on; issued invoices stay as they are."
        ),
        "cancel_url": reverse("dues:index"),
    }
    return render(request, "form_page.html", context)


def _own_document(request, pk, ensure, field, name, **filters):
    """A stored PDF of the contact's own organisation; anyone else's is a 404, not a 403."""
    organisation = member_selectors.member_organisation(request.roles)
    own = selectors.invoices_of(organisation).filter(**filters)
    invoice = ensure(get_object_or_404(own.only("pk"), pk=pk).pk)
    return documents.pdf_response(invoice, field, name)


@require("dues.view_own")
def invoice_pdf(request, pk):
    return _own_document(request, pk, documents.ensure_invoice_pdf, "pdf", "invoice")


@require("dues.view_own")
def receipt_pdf(request, pk):
    return _own_document(
        request, pk, documents.ensure_receipt_pdf, "receipt_pdf", "receipt", status="paid"
    )

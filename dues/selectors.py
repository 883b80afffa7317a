"""Reads of dues: a member's invoices and billing profile, the collection figures."""

from decimal import Decimal

from django.db.models import Sum

from .models import Allocation, BillingProfile, Invoice, WriteOff


def billing_profile(organisation) -> BillingProfile:
    """The organisation's billing profile, or an unsaved one with the defaults.

    Free when the organisation was loaded with select_related("billing_profile").
    """
    try:
        return organisation.billing_profile
    except BillingProfile.DoesNotExist:
        return BillingProfile(organisation=organisation)


def invoices_of(organisation):
    return Invoice.objects.filter(organisation=organisation).order_by("-fiscal_year", "-number")


def collection_summary(fiscal_year: int, group_by: str) -> list[dict]:
    """Billed, collected, written off, outstanding and rate per class or block, in the DB.

    Allocations and write-offs are summed separately from invoices so that joins never
    count an invoice twice.
    """
    key = {
        "class": "membership_year__membership_class__name",
        "block": "organisation__block__name",
    }[group_by]
    invoices = Invoice.objects.filter(fiscal_year=fiscal_year).exclude(
        status=Invoice.Status.CANCELLED
    )
    billed = dict(invoices.values_list(key).annotate(total=Sum("total")).order_by(key))
    collected = dict(
        Allocation.objects.filter(invoice__in=invoices)
        .values_list(f"invoice__{key}")
        .annotate(total=Sum("amount"))
        .order_by(f"invoice__{key}")
    )
    written_off = dict(
        WriteOff.objects.filter(invoice__in=invoices)
        .values_list(f"invoice__{key}")
        .annotate(total=Sum("amount"))
        .order_by(f"invoice__{key}")
    )
    rows = []
    for name, amount in billed.items():
        got = min(collected.get(name, 0), amount)
        rate = (Decimal(got) * 100 / amount).quantize(Decimal("0.1")) if amount else None
        rows.append(
            {
                "name": name or "—",
                "billed": amount,
                "collected": got,
                "written_off": written_off.get(name, 0),
                "outstanding": amount - got - written_off.get(name, 0),
                "rate": rate,
            }
        )
    return rows


def open_invoices(organisation_id):
    """The invoices still to be paid of one organisation (none without one), oldest first,
    with the organisation loaded for their labels."""
    if not organisation_id:
        return Invoice.objects.none()
    return (
        Invoice.objects.filter(organisation_id=organisation_id, status=Invoice.Status.ISSUED)
        .select_related("organisation")
        .order_by("due_on", "fiscal_year", "number")
    )

"""Reads of dues: a member's invoices and billing profile, the collection figures."""

from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Allocation, BillingProfile, Invoice, WriteOff, overdue_q


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


def standing_invoice(invoices, year) -> Invoice | None:
    """Of `invoices` (loaded already), the membership year's that is not cancelled: what the
    year's standing shows its overdue mark from."""
    return next(
        (
            invoice
            for invoice in invoices
            if year is not None
            and invoice.membership_year_id == year.pk
            and invoice.status != Invoice.Status.CANCELLED
        ),
        None,
    )


def _with_amounts(invoices):
    """Invoices with what was paid, written off and is outstanding on each (`amount_paid`,
    `amount_written_off`, `amount_outstanding`), summed by subqueries so that no join counts
    an invoice twice."""

    def summed(model):
        rows = model.objects.filter(invoice=OuterRef("pk")).order_by().values("invoice")
        return Coalesce(Subquery(rows.annotate(sum=Sum("amount")).values("sum")), 0)

    return invoices.annotate(
        amount_paid=summed(Allocation), amount_written_off=summed(WriteOff)
    ).annotate(amount_outstanding=F("total") - F("amount_paid") - F("amount_written_off"))


def _collection_figures() -> dict:
    """The figures of the collection view; overdue as of today in Asia/Tokyo."""
    today = timezone.localdate()
    return {
        "billed": Coalesce(Sum("total"), 0),
        "collected": Coalesce(Sum("amount_paid"), 0),
        "written_off": Coalesce(Sum("amount_written_off"), 0),
        "outstanding": Coalesce(Sum("amount_outstanding"), 0),
        "overdue": Coalesce(Sum("amount_outstanding", filter=overdue_q(today)), 0),
    }


def _billed_invoices(fiscal_year: int):
    return _with_amounts(
        Invoice.objects.filter(fiscal_year=fiscal_year).exclude(status=Invoice.Status.CANCELLED)
    )


def _rate(figures: dict) -> Decimal | None:
    if not figures["billed"]:
        return None
    return (Decimal(figures["collected"]) * 100 / figures["billed"]).quantize(Decimal("0.1"))


def collection_summary(fiscal_year: int, group_by: str) -> list[dict]:
    """Billed, collected, written off, outstanding (of it overdue today, Asia/Tokyo) and the
    collection rate per class or block, in one query."""
    key = {
        "class": "membership_year__membership_class__name",
        "block": "organisation__block__name",
    }[group_by]
    groups = (
        _billed_invoices(fiscal_year).values(key).annotate(**_collection_figures()).order_by(key)
    )
    rows = []
    for group in groups:
        name = group.pop(key)
        rows.append({"name": name or "—", **group, "rate": _rate(group)})
    return rows


def collection_totals(fiscal_year: int) -> dict:
    """The fiscal year's figures of `collection_summary` over all invoices, in one query."""
    figures = _billed_invoices(fiscal_year).aggregate(**_collection_figures())
    return {**figures, "rate": _rate(figures)}


def overdue_of(organisation_id: int) -> list[Invoice]:
    """The organisation's open invoices past their due date (today in Asia/Tokyo), of any
    fiscal year, with what is outstanding on each, in one query."""
    invoices = _with_amounts(Invoice.objects.filter(organisation_id=organisation_id))
    return list(invoices.filter(overdue_q(timezone.localdate())).order_by("due_on", "number"))


def overdue_invoices(fiscal_year: int) -> list[Invoice]:
    """Who is overdue: the year's open invoices past their due date (today in Asia/Tokyo),
    with their organisation and what is outstanding, in one query; `days_overdue` on each."""
    return list(
        _billed_invoices(fiscal_year)
        .filter(overdue_q(timezone.localdate()))
        .select_related("organisation")
        .order_by("due_on", "number")
    )


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

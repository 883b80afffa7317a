from django.db.models import Prefetch

from .kana import normalise
from .models import (
    FiscalYearSettings,
    Invoice,
    Membership,
    MembershipYear,
    Organisation,
    Person,
)


def current_membership(organisation):
    return (
        Membership.objects.current()
        .select_related("membership_class")
        .filter(organisation=organisation)
        .first()
    )


def contacts_of(organisation):
    return Person.objects.filter(organisation=organisation).order_by(
        "family_name_kana", "given_name_kana"
    )


def membership_year(organisation, fiscal_year: int):
    return (
        MembershipYear.objects.select_related("membership_class")
        .filter(organisation=organisation, fiscal_year=fiscal_year)
        .first()
    )


def units_deadline(fiscal_year: int):
    row = FiscalYearSettings.objects.filter(fiscal_year=fiscal_year).first()
    return row.units_deadline if row else None


def directory(*, q: str = "", block=None, prefecture: int | None = None, kind=None):
    """Current members for the directory, with their class; filters are optional."""
    organisations = (
        Organisation.objects.filter(memberships__left_on__isnull=True)
        .select_related("kind", "block")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.current().select_related("membership_class"),
                to_attr="current_memberships",
            )
        )
        .order_by("name_kana", "name")
    )
    for term in q.split():
        organisations = organisations.filter(search_text__contains=normalise(term))
    if block is not None:
        organisations = organisations.filter(block=block)
    if prefecture is not None:
        organisations = organisations.filter(prefecture=prefecture)
    if kind is not None:
        organisations = organisations.filter(kind=kind)
    return organisations


def invoices_of(organisation):
    return Invoice.objects.filter(organisation=organisation).order_by("-fiscal_year", "-number")

from .models import FiscalYearSettings, Membership, MembershipYear, Person


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

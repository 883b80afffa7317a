"""Writes to the registry that span models; views and the admin call these."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    FiscalYearSettings,
    Membership,
    MembershipClass,
    MembershipYear,
    PersonRole,
    UnitsException,
)


@transaction.atomic
def assign_role(person, kind: str, *, starts_on: date | None = None) -> PersonRole:
    """Give `person` a role in its organisation, ending the previous holder's if single."""
    starts_on = starts_on or timezone.localdate()
    organisation = person.organisation
    if kind in PersonRole.SINGLE_HOLDER_KINDS:
        PersonRole.objects.current().filter(organisation=organisation, kind=kind).exclude(
            person=person
        ).update(ends_on=starts_on)
    role, _created = PersonRole.objects.current().get_or_create(
        person=person, organisation=organisation, kind=kind, defaults={"starts_on": starts_on}
    )
    return role


def minimum_units(organisation, fiscal_year: int, membership_class: MembershipClass) -> int:
    exception = UnitsException.objects.filter(
        organisation=organisation, fiscal_year=fiscal_year
    ).first()
    return exception.minimum_units if exception else membership_class.minimum_units


def _frozen(membership_class: MembershipClass, units: int | None) -> dict:
    amount = membership_class.dues_for(units)
    return {
        "membership_class": membership_class,
        "units": units if membership_class.has_units else None,
        "amount_due": amount,
        "votes": membership_class.votes_for(units),
        "standing": MembershipYear.Standing.DUE if amount else MembershipYear.Standing.EXEMPT,
    }


@transaction.atomic
def choose_units(organisation, fiscal_year: int, units: int) -> MembershipYear:
    """Record the member's units for `fiscal_year`; the reason is explained when refused."""
    membership = (
        Membership.objects.current().select_related("membership_class")
        .filter(organisation=organisation).first()
    )  # fmt: skip
    if membership is None or not membership.membership_class.has_units:
        raise ValidationError(_("Your membership class has no dues units to choose."))
    settings_row = FiscalYearSettings.objects.filter(fiscal_year=fiscal_year).first()
    if settings_row is None or timezone.now() > settings_row.units_deadline:
        raise ValidationError(
            _("Units for FY%(year)d can no longer be chosen: the deadline has passed.")
            % {"year": fiscal_year}
        )
    membership_class = membership.membership_class
    minimum = minimum_units(organisation, fiscal_year, membership_class)
    if units < minimum:
        raise ValidationError(
            _(
                "%(class)s members choose at least %(minimum)d units (1 unit = %(price)s yen). "
                "If your organisation needs fewer, please ask the secretariat for an exception."
            )
            % {
                "class": membership_class,
                "minimum": minimum,
                "price": f"{membership_class.unit_price:,}",
            }
        )
    year = (
        MembershipYear.objects.select_for_update()
        .filter(organisation=organisation, fiscal_year=fiscal_year)
        .first()
    )
    if year is not None and year.standing == MembershipYear.Standing.PAID:
        raise ValidationError(_("The dues for this fiscal year are paid; units can't change."))
    year, _created = MembershipYear.objects.update_or_create(
        organisation=organisation,
        fiscal_year=fiscal_year,
        defaults=_frozen(membership_class, units),
    )
    return year


def freeze_year(organisation, fiscal_year: int) -> MembershipYear | None:
    """The organisation's row for `fiscal_year`, created from its current membership if absent.

    Units default to the previous year's, else the class minimum.
    """
    existing = MembershipYear.objects.filter(
        organisation=organisation, fiscal_year=fiscal_year
    ).first()
    if existing is not None:
        return existing
    membership = (
        Membership.objects.current().select_related("membership_class")
        .filter(organisation=organisation).first()
    )  # fmt: skip
    if membership is None:
        return None
    membership_class = membership.membership_class
    previous = (
        MembershipYear.objects.filter(organisation=organisation, fiscal_year__lt=fiscal_year)
        .order_by("-fiscal_year")
        .values_list("units", flat=True)
        .first()
    )
    units = previous or membership_class.minimum_units
    year, _created = MembershipYear.objects.get_or_create(
        organisation=organisation,
        fiscal_year=fiscal_year,
        defaults=_frozen(membership_class, units),
    )
    return year

"""Writes of the general assembly: the voter roll, frozen at the record date."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.fiscal import fiscal_year_of
from members.models import Membership, MembershipYear

from .models import Assembly, RollEntry


@transaction.atomic
def freeze_roll(assembly_id: int) -> int:
    """The roll as it stood at the record date, from the frozen membership years: units
    changed later never change it. Returns the number of entries; refuses a second time."""
    assembly = Assembly.objects.select_for_update().get(pk=assembly_id)
    if assembly.roll_frozen_at is not None:
        raise ValidationError(_("The voter roll of this assembly is frozen already."))
    day = assembly.record_date
    fiscal_year = fiscal_year_of(day)
    members = Membership.objects.filter(joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=day)
    )
    years = MembershipYear.objects.filter(
        fiscal_year=fiscal_year,
        votes__gt=0,
        organisation__in=members.values("organisation_id"),
    )
    unpaid = set()
    if assembly.unpaid_loses_vote:
        unpaid = set(
            MembershipYear.objects.filter(
                fiscal_year=fiscal_year - 1, standing=MembershipYear.Standing.DUE
            ).values_list("organisation_id", flat=True)
        )
    entries = [
        RollEntry(
            assembly=assembly,
            organisation_id=year.organisation_id,
            votes=year.votes,
            eligible=year.organisation_id not in unpaid,
            counts_for_headcount=year.organisation_id not in unpaid,
            note=_("dues of FY%(year)d unpaid") % {"year": fiscal_year - 1}
            if year.organisation_id in unpaid
            else "",
        )
        for year in years.only("organisation_id", "votes")
    ]
    RollEntry.objects.bulk_create(entries)
    assembly.roll_frozen_at = timezone.now()
    assembly.save(update_fields=["roll_frozen_at"])
    return len(entries)

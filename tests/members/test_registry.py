from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members import fiscal, services
from members.models import (
    FiscalYearSettings,
    MembershipClass,
    MembershipYear,
    PersonRole,
    UnitsException,
)
from tests import factories

pytestmark = pytest.mark.django_db

NEXT_FY = fiscal.current_fiscal_year() + 1


@pytest.fixture
def open_units():
    return FiscalYearSettings.objects.create(
        fiscal_year=NEXT_FY, units_deadline=timezone.now() + timedelta(days=30)
    )


@pytest.mark.parametrize(
    ("first", "expected"),
    [(date(2026, 4, 1), 2026), (date(2027, 3, 31), 2026), (date(2027, 1, 5), 2026)],
)
def test_fiscal_year_runs_april_to_march(first, expected):
    assert fiscal.fiscal_year_of(first) == expected
    assert fiscal.bounds(2026) == (date(2026, 4, 1), date(2027, 3, 31))


def test_dues_and_votes_per_class():
    full = factories.full_class()
    academic = factories.make_class("academic", "flat", "none", flat_amount=15000)
    observer = factories.make_class("observer", "none", "none")
    assert (full.dues_for(3), full.votes_for(3)) == (150000, 3)
    assert (full.dues_for(2), full.votes_for(2)) == (100000, 2)
    assert (academic.dues_for(None), academic.votes_for(None)) == (15000, 0)
    assert (observer.dues_for(None), observer.votes_for(None)) == (0, 0)


def test_class_rules_must_be_complete():
    with pytest.raises(ValidationError):
        MembershipClass(code="x", name="x", dues_rule="per_unit", votes_rule="none").clean()
    with pytest.raises(ValidationError):
        MembershipClass(code="y", name="y", dues_rule="flat", votes_rule="per_unit",
                        flat_amount=1).clean()  # fmt: skip


def test_units_below_the_minimum_are_refused_with_the_rule(organisation, open_units):
    with pytest.raises(ValidationError) as refused:
        services.choose_units(organisation, NEXT_FY, 1)
    message = " ".join(refused.value.messages)
    assert "2" in message and "50,000" in message
    assert not MembershipYear.objects.exists()


def test_chosen_units_are_frozen_with_amount_and_votes(organisation, open_units):
    year = services.choose_units(organisation, NEXT_FY, 3)
    assert (year.units, year.amount_due, year.votes) == (3, 150000, 3)
    assert year.standing == MembershipYear.Standing.DUE
    # A later change to the class's price does not rewrite the frozen year.
    MembershipClass.objects.filter(code="full").update(unit_price=60000)
    year.refresh_from_db()
    assert year.amount_due == 150000
    # Choosing again updates the same row, at the rules in force then.
    services.choose_units(organisation, NEXT_FY, 2)
    assert MembershipYear.objects.get().amount_due == 120000


def test_exception_lowers_the_minimum(organisation, open_units, secretariat):
    UnitsException.objects.create(
        organisation=organisation, fiscal_year=NEXT_FY, minimum_units=1,
        reason="財政難による減免", granted_by=secretariat,
    )  # fmt: skip
    assert services.choose_units(organisation, NEXT_FY, 1).amount_due == 50000


def test_units_after_the_deadline_are_refused(organisation, open_units):
    open_units.units_deadline = timezone.now() - timedelta(minutes=1)
    open_units.save()
    with pytest.raises(ValidationError, match="申込期限"):
        services.choose_units(organisation, NEXT_FY, 3)


def test_units_only_for_classes_with_units(db):
    academic = factories.make_class("academic", "flat", "none", flat_amount=15000)
    organisation = factories.make_organisation(membership_class=academic)
    with pytest.raises(ValidationError):
        services.choose_units(organisation, NEXT_FY, 3)


def test_freeze_year_takes_last_years_units(organisation):
    this_year = fiscal.current_fiscal_year()
    MembershipYear.objects.create(
        organisation=organisation, fiscal_year=this_year, membership_class=factories.full_class(),
        units=4, amount_due=200000, votes=4, standing="paid",
    )  # fmt: skip
    year = services.freeze_year(organisation, this_year + 1)
    assert (year.units, year.votes, year.amount_due) == (4, 4, 200000)
    assert services.freeze_year(organisation, this_year + 1) == year


def test_assigning_a_single_role_ends_the_previous_holder(organisation):
    first = factories.make_person(organisation)
    second = factories.make_person(organisation, family_name="佐藤")
    services.assign_role(first, PersonRole.Kind.PRIMARY)
    services.assign_role(second, PersonRole.Kind.PRIMARY)
    current = PersonRole.objects.current().get(organisation=organisation, kind="primary")
    assert current.person == second
    assert PersonRole.objects.get(person=first).ends_on is not None
    # Newsletter recipients may be many.
    services.assign_role(first, PersonRole.Kind.NEWSLETTER)
    services.assign_role(second, PersonRole.Kind.NEWSLETTER)
    assert PersonRole.objects.current().filter(kind="newsletter").count() == 2


def test_database_refuses_two_current_representatives(organisation):
    first = factories.make_person(organisation)
    second = factories.make_person(organisation)
    today = timezone.localdate()
    PersonRole.objects.create(person=first, organisation=organisation, kind="representative",
                              starts_on=today)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonRole.objects.create(person=second, organisation=organisation,
                                  kind="representative", starts_on=today)  # fmt: skip

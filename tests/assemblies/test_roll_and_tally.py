"""The voter roll frozen at the record date, quorum and thresholds, on hand-computed
weighted examples (votes 4, 3, 2 and 1: 10 votes, 4 voting members)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assemblies.models import AgendaItem, RollEntry, Threshold
from assemblies.rules import reaches
from assemblies.services import cast, freeze_roll
from assemblies.tally import tally
from members.models import MembershipYear
from tests import factories

pytestmark = pytest.mark.django_db


def make_assembly(**fields):
    return factories.make_assembly(open_now=False, title="令和8年度 通常総会", **fields)


def year(organisation, fiscal_year, votes, standing="paid"):
    return MembershipYear.objects.create(
        organisation=organisation,
        fiscal_year=fiscal_year,
        membership_class=factories.full_class(),
        units=votes or None,
        amount_due=50000 * votes,
        votes=votes,
        standing=standing,
    )


@pytest.fixture
def members(db):
    a, b, c = (factories.make_organisation(n) for n in ("A財団", "B財団", "C大学"))
    late = factories.make_organisation("D財団")
    late.memberships.update(joined_on=date(2026, 7, 1))  # joined after the record date
    year(a, 2026, 3)
    year(b, 2026, 2)
    year(b, 2025, 2, standing="due")
    year(c, 2026, 0, standing="exempt")  # a class without votes
    year(late, 2026, 2)
    return a, b, c, late


def _roll(assembly):
    return {
        e.organisation.name: (e.votes, e.eligible)
        for e in assembly.roll.select_related("organisation")
    }


def test_roll_is_frozen_from_the_record_date(members):
    a, _b, _c, _late = members
    assembly = make_assembly()
    assert freeze_roll(assembly.pk) == 2
    MembershipYear.objects.filter(organisation=a, fiscal_year=2026).update(units=6, votes=6)
    assert _roll(assembly) == {"A財団": (3, True), "B財団": (2, True)}
    with pytest.raises(ValidationError):
        freeze_roll(assembly.pk)  # frozen once: later changes never reach it


def test_rolls_are_frozen_by_the_beat_once_the_record_date_has_ended(members):
    """Until the record date is over units may still change, so the roll waits for it."""
    from assemblies.services import freeze_due_rolls

    today = timezone.localdate()
    waiting, due = factories.make_assembly(), factories.make_assembly()
    for assembly, record_date in [(waiting, today), (due, date(2026, 6, 1))]:
        assembly.record_date = record_date
        assembly.save()
    with pytest.raises(ValidationError):
        freeze_roll(waiting.pk)  # the record date is today: not over yet
    assert freeze_due_rolls() == 1
    assert freeze_due_rolls() == 0  # run twice: nothing frozen twice
    assert not waiting.roll.exists() and due.roll.count() == 2


def test_unpaid_dues_of_the_previous_year_remove_the_vote_when_the_assembly_says_so(members):
    assembly = make_assembly(unpaid_loses_vote=True)
    freeze_roll(assembly.pk)
    assert _roll(assembly) == {"A財団": (3, True), "B財団": (2, False)}
    assert "2025" in assembly.roll.get(organisation__name="B財団").note


@pytest.mark.parametrize(
    "part, whole, share, strict, expected",
    [
        (5, 10, (1, 2), True, False),  # exactly half is not a majority
        (6, 10, (1, 2), True, True),
        (5, 10, (1, 2), False, True),  # "at least half"
        (6, 9, (2, 3), False, True),  # exactly two thirds
        (5, 9, (2, 3), False, False),
        (0, 0, (1, 2), False, False),  # nothing to count: never reached
    ],
)
def test_shares_are_exact(part, whole, share, strict, expected):
    from fractions import Fraction

    assert reaches(part, whole, Fraction(*share), strict=strict) is expected


@pytest.fixture
def weighted(db):
    assembly, entries, voters, items = factories.voting_assembly({"A": 4, "B": 3, "C": 2, "D": 1})
    return assembly, (entries, voters), items


def vote(people, item, **choices):
    entries, voters = people
    for name, choice in choices.items():
        cast(entries[name].pk, {item.pk: choice}, voters[name])


def _result(outcome, item):
    return next(r for r in outcome.items if r.item == item)


def test_quorum_exactly_half_is_not_reached(weighted):
    assembly, voters, items = weighted
    vote(voters, items["ordinary"], A="for", D="for")  # 5 of 10 votes present
    outcome = tally(assembly)
    assert (outcome.roll_votes, outcome.roll_heads, outcome.present_votes) == (10, 4, 5)
    assert outcome.quorum is False
    assert _result(outcome, items["ordinary"]).passed is False  # no quorum, no decision
    vote(voters, items["ordinary"], C="against")  # 7 of 10
    assert tally(assembly).quorum is True


def test_ordinary_counts_abstentions_as_exercised(weighted):
    assembly, voters, items = weighted
    vote(voters, items["ordinary"], A="for", B="against", C="abstain")
    result = _result(tally(assembly), items["ordinary"])
    assert result.votes == {"for": 4, "against": 3, "abstain": 2}
    assert result.passed is False  # 4 of 9 is not more than half
    vote(voters, items["ordinary"], C="for")
    assert _result(tally(assembly), items["ordinary"]).passed is True  # 6 of 9


def test_special_needs_two_thirds_of_votes_and_half_the_members(weighted):
    assembly, voters, items = weighted
    vote(voters, items["special"], A="for", C="for", B="against")
    result = _result(tally(assembly), items["special"])
    assert (result.votes["for"], result.votes_exercised, result.heads["for"]) == (6, 9, 2)
    assert result.passed is True  # exactly 2/3 of votes, exactly 1/2 of 4 members
    vote(voters, items["special"], D="against")
    assert _result(tally(assembly), items["special"]).passed is False  # 6 of 10


def test_special_fails_on_headcount_despite_the_weight(weighted):
    assembly, voters, items = weighted
    vote(voters, items["ordinary"], B="for", C="for", D="for")  # all present
    vote(voters, items["special"], A="for")
    result = _result(tally(assembly), items["special"])
    # All 4 votes exercised on it are for, but 1 of the 4 members is less than half.
    assert (result.votes["for"], result.votes_exercised, result.heads["for"]) == (4, 4, 1)
    assert result.passed is False
    vote(voters, items["special"], D="for")  # 2 of 4 members, 5 of 5 votes
    assert _result(tally(assembly), items["special"]).passed is True


def test_ineligible_voters_count_nowhere(weighted):
    assembly, voters, items = weighted
    vote(voters, items["ordinary"], A="for", B="against")
    RollEntry.objects.filter(pk=voters[0]["B"].pk).update(eligible=False)  # corrected later
    outcome = tally(assembly)
    assert (outcome.roll_votes, outcome.roll_heads, outcome.present_votes) == (7, 3, 4)
    assert _result(outcome, items["ordinary"]).votes == {"for": 4, "against": 0, "abstain": 0}


def test_the_secretariat_freezes_the_roll_in_the_admin(client, secretariat_with_mfa, members):
    from django.urls import reverse

    assembly = make_assembly()
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:assemblies_assembly_changelist")
    for _ in range(2):  # the second time is refused with a message, nothing added
        client.post(url, {"action": "freeze_roll", "_selected_action": [assembly.pk]})
    assert assembly.roll.count() == 2
    page = client.get(reverse("admin:assemblies_rollentry_changelist"))
    assert page.status_code == 200 and "A財団" in page.content.decode()


@pytest.mark.parametrize("size", [10, 300])
def test_admin_assembly_pages_within_budget(
    client, secretariat_with_mfa, size, django_assert_max_num_queries
):
    from django.urls import reverse

    assembly = make_assembly()
    RollEntry.objects.bulk_create(
        RollEntry(assembly=assembly, organisation=o, votes=2)
        for o in factories.bulk_organisations(size)
    )
    threshold = Threshold.objects.create(name="普通決議", votes_numerator=1, votes_denominator=2)
    for n in range(3):
        AgendaItem.objects.create(assembly=assembly, title=f"第{n + 1}号議案", threshold=threshold)
    client.force_login(secretariat_with_mfa)
    for url in [
        reverse("admin:assemblies_assembly_changelist"),
        reverse("admin:assemblies_assembly_change", args=[assembly.pk]),
        reverse("admin:assemblies_rollentry_changelist"),
        reverse("admin:assemblies_threshold_changelist"),
    ]:
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, url

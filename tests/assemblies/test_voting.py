"""Participation, ballots and corrections through the services, on a hand-computed roll:
A 4 votes, B 3, C 2, D 1 (10 votes, 4 voting members)."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation

from assemblies import services
from assemblies.models import AuditEvent, Ballot, Participation
from assemblies.tally import tally
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' refusals are matched by their English wording."""
    with translation.override("en"):
        yield


@pytest.fixture
def roll(db):
    return factories.voting_assembly({"A": 4, "B": 3, "C": 2, "D": 1})


def _result(assembly, key, items):
    return next(r for r in tally(assembly).items if r.item == items[key])


def test_a_proxy_holder_votes_the_delegated_weight(roll):
    assembly, entries, voters, items = roll
    services.give_proxy(entries["D"].pk, voters["D"], holder_id=entries["B"].pk)
    services.cast(entries["B"].pk, {items["ordinary"].pk: "for"}, voters["B"])
    services.cast(entries["A"].pk, {items["ordinary"].pk: "against"}, voters["A"])
    outcome = tally(assembly)
    assert outcome.present_votes == 8  # A 4, B 3 and D's 1 by proxy
    result = _result(assembly, "ordinary", items)
    assert result.votes == {"for": 4, "against": 4, "abstain": 0}  # B 3 + D 1 against A 4
    assert result.heads == {"for": 2, "against": 1, "abstain": 0}
    assert result.passed is False  # 4 of 8 is not a majority


def test_proxies_to_the_chair_count_with_the_chairs_vote(roll, secretariat):
    assembly, entries, voters, items = roll
    services.give_proxy(entries["A"].pk, voters["A"])
    services.cast(entries["B"].pk, {items["ordinary"].pk: "against"}, voters["B"])
    assert tally(assembly).quorum is True  # 7 of 10 present, the chair's proxies included
    assert _result(assembly, "ordinary", items).votes["for"] == 0  # the chair has not voted
    with pytest.raises(ValidationError, match="chair"):
        services.close_voting(assembly.pk, secretariat)  # not before the chair's vote
    services.record_chair_votes(
        assembly.pk, {items["ordinary"].pk: "for", items["special"].pk: "for"}, secretariat
    )
    result = _result(assembly, "ordinary", items)
    assert result.votes == {"for": 4, "against": 3, "abstain": 0}
    assert result.passed is True  # 4 of 7
    services.close_voting(assembly.pk, secretariat)


@pytest.mark.parametrize(
    "giver, holder, message",
    [
        ("A", "A", "itself"),  # no proxy to oneself
        ("A", "B", "passed on"),  # B gave its own proxy to C: no chain
        ("C", "A", "passed on"),  # C holds B's proxy: it cannot pass it on
    ],
)
def test_refused_proxies(roll, giver, holder, message):
    _assembly, entries, voters, _items = roll
    services.give_proxy(entries["B"].pk, voters["B"], holder_id=entries["C"].pk)
    with pytest.raises(ValidationError, match=message):
        services.give_proxy(entries[giver].pk, voters[giver], holder_id=entries[holder].pk)
    assert not Participation.objects.filter(entry=entries[giver]).exists()


def test_an_organisation_takes_part_once(roll, secretariat):
    _assembly, entries, voters, items = roll
    services.cast(entries["A"].pk, {items["ordinary"].pk: "for"}, voters["A"])
    with pytest.raises(ValidationError, match="takes part already"):
        services.give_proxy(entries["A"].pk, voters["A"])
    services.give_proxy(entries["B"].pk, voters["B"])
    with pytest.raises(ValidationError, match="withdraw"):
        services.cast(entries["B"].pk, {items["ordinary"].pk: "for"}, voters["B"])
    services.withdraw_proxy(entries["B"].pk, voters["B"])
    services.cast(entries["B"].pk, {items["ordinary"].pk: "for"}, voters["B"])
    services.give_proxy(entries["C"].pk, voters["C"])
    services.record_attendance(entries["C"].pk, secretariat)  # attending replaces the proxy
    services.cast(entries["C"].pk, {items["ordinary"].pk: "abstain"}, secretariat)
    modes = dict(Participation.objects.values_list("entry__organisation__name", "mode"))
    assert modes == {"A": "online", "B": "online", "C": "in_person"}


def test_votes_change_until_the_close_and_never_after(roll, secretariat):
    assembly, entries, voters, items = roll
    item = items["ordinary"].pk
    assert services.cast(entries["A"].pk, {item: "for"}, voters["A"]) == 1
    assert services.cast(entries["A"].pk, {item: "for"}, voters["A"]) == 0  # no change
    assert services.cast(entries["A"].pk, {item: "against"}, voters["A"]) == 1
    assert Ballot.objects.get(voter=entries["A"]).choice == "against"
    services.close_voting(assembly.pk, secretariat)
    with pytest.raises(ValidationError, match="not open"):
        services.cast(entries["A"].pk, {item: "for"}, voters["A"])
    with pytest.raises(ValidationError, match="closed"):
        services.correct_entry(entries["A"].pk, secretariat, reason="誤り", votes=5)
    assert Ballot.objects.get(voter=entries["A"]).choice == "against"
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["ballot_cast", "ballot_changed", "closed"]


def test_nothing_is_taken_outside_the_window(roll):
    assembly, entries, voters, items = roll
    assembly.closes_at = timezone.now() - timedelta(minutes=1)
    assembly.save()
    with pytest.raises(ValidationError, match="not open"):
        services.cast(entries["A"].pk, {items["ordinary"].pk: "for"}, voters["A"])
    with pytest.raises(ValidationError, match="not open"):
        services.give_proxy(entries["A"].pk, voters["A"])


def test_only_the_designated_voter_acts_for_its_organisation(roll, secretariat):
    _assembly, entries, voters, items = roll
    colleague = factories.make_user("colleague@example.jp")
    factories.make_person(entries["A"].organisation, user=colleague)
    for user in [colleague, voters["B"], secretariat]:
        with pytest.raises(ValidationError, match="designated voter"):
            services.cast(entries["A"].pk, {items["ordinary"].pk: "for"}, user)
        with pytest.raises(ValidationError, match="designated voter"):
            services.give_proxy(entries["A"].pk, user)
    assert not Ballot.objects.exists()


def test_secret_ballots_leave_no_choice_in_the_audit_trail(roll):
    assembly, entries, voters, items = roll
    services.cast(entries["A"].pk, {items["ordinary"].pk: "against"}, voters["A"])
    assert assembly.secret_ballot is True
    assert AuditEvent.objects.get(action="ballot_cast").detail == {}
    assembly.secret_ballot = False
    assembly.save()
    services.cast(entries["B"].pk, {items["ordinary"].pk: "for"}, voters["B"])
    assert AuditEvent.objects.filter(entry=entries["B"]).get().detail == {"choice": "for"}


def test_corrections_need_a_reason_and_are_audited(roll, secretariat):
    assembly, entries, _voters, _items = roll
    with pytest.raises(ValidationError, match="reason"):
        services.correct_entry(entries["A"].pk, secretariat, reason=" ", votes=5)
    services.correct_entry(entries["A"].pk, secretariat, reason="口数変更届の反映漏れ", votes=5)
    assert tally(assembly).roll_votes == 11
    event = AuditEvent.objects.get(action="corrected")
    assert event.detail["before"]["votes"] == 4 and event.detail["after"]["votes"] == 5
    assert event.actor == secretariat and event.detail["reason"] == "口数変更届の反映漏れ"


def test_only_the_secretariat_opens_and_closes_through_the_rules(roll, secretariat):
    """The services trust their caller for opening and closing; the views check the rule
    (see test_assembly_views); here: each happens once, in order."""
    assembly, _entries, _voters, _items = roll
    with pytest.raises(ValidationError, match="opened already"):
        services.open_voting(assembly.pk, secretariat)
    services.close_voting(assembly.pk, secretariat)
    with pytest.raises(ValidationError, match="Only an assembly whose vote is open"):
        services.close_voting(assembly.pk, secretariat)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_ballots_for_one_organisation_give_one():
    _assembly, entries, voters, items = factories.voting_assembly({"A": 4})
    barrier, errors = threading.Barrier(2), []

    def submit(choice):
        try:
            barrier.wait()
            services.cast(entries["A"].pk, {items["ordinary"].pk: choice}, voters["A"])
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in ("for", "against")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Ballot.objects.filter(voter=entries["A"]).count() == 1
    assert Participation.objects.filter(entry=entries["A"]).count() == 1
    assert AuditEvent.objects.filter(action="ballot_cast").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_close_waits_for_a_ballot_in_flight_and_none_lands_after_it():
    from django.db import OperationalError

    assembly, entries, voters, items = factories.voting_assembly({"A": 4})
    office = factories.make_user("office-close@example.jp", is_staff=True)
    cast_inside, release, outcome = threading.Event(), threading.Event(), {}

    def slow_ballot():
        try:
            with transaction.atomic():  # the ballot's locks stay held until this commits
                services.cast(entries["A"].pk, {items["ordinary"].pk: "for"}, voters["A"])
                cast_inside.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def close_now():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
                services.close_voting(assembly.pk, office)
            outcome["closed"] = True
        except OperationalError:
            outcome["closed"] = False  # blocked by the ballot in flight
        finally:
            connection.close()

    ballot = threading.Thread(target=slow_ballot)
    ballot.start()
    assert cast_inside.wait(timeout=30)
    closer = threading.Thread(target=close_now)
    closer.start()
    closer.join()
    release.set()
    ballot.join()
    assert outcome == {"closed": False}
    services.close_voting(assembly.pk, office)
    with pytest.raises(ValidationError, match="not open"):
        services.cast(entries["A"].pk, {items["ordinary"].pk: "against"}, voters["A"])
    assert Ballot.objects.get(voter=entries["A"]).choice == "for"


def test_a_holder_corrected_to_no_vote_carries_no_proxies(roll, secretariat):
    assembly, entries, voters, items = roll
    services.give_proxy(entries["C"].pk, voters["C"], holder_id=entries["B"].pk)
    services.cast(entries["B"].pk, {items["ordinary"].pk: "for"}, voters["B"])
    assert _result(assembly, "ordinary", items).votes["for"] == 5  # B 3 + C 2
    services.correct_entry(entries["B"].pk, secretariat, reason="資格喪失", eligible=False)
    outcome = tally(assembly)
    assert outcome.present_votes == 2  # C's proxy still counts as present
    assert _result(assembly, "ordinary", items).votes["for"] == 0


def test_a_headcount_share_needs_both_parts():
    from django.db import IntegrityError

    from assemblies.models import Threshold

    for numerator, denominator in [(1, None), (1, 0), (None, 2)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Threshold.objects.create(
                name=f"不完全{numerator}{denominator}",
                votes_numerator=1,
                votes_denominator=2,
                headcount_numerator=numerator,
                headcount_denominator=denominator,
            )

"""The general assembly's tally (assemblies.tally.tally) over a roll of 10,000 voting
organisations and 10 agenda items: ~70% voted online on every item, ~10% gave a proxy to the
chair, ~10% to another member who voted, the rest did not take part; the chair's vote is
recorded on every item. Prints the median wall time of the tally after checking its figures
against a count made in Python from the generated data."""

import random
import statistics
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assemblies.models import AgendaItem, Ballot, Choice, Participation, RollEntry
from assemblies.tally import tally
from bench.common import check, progress
from members.models import Organisation
from tests.factories import make_assembly, make_thresholds

VOTERS = 10_000
ITEMS = 10
RUNS = 10
BATCH = 5_000
PROXY_HOLDERS = 300  # members that others give their proxy to, among the online voters
# Per item: the weights of for, against and abstain among the online voters; the last two
# are special resolutions (two thirds of the votes, half of the members by headcount).
LEANINGS = [(80, 12, 8), (75, 15, 10), (85, 10, 5), (70, 20, 10), (60, 30, 10)] * 2
Mode = Participation.Mode


def build(organisations):
    """The roll, participation, items and ballots with bulk_create; returns the assembly and
    the figures the tally must arrive at, counted here from what was generated."""
    rng = random.Random(20260620)  # the same data on every run, so that figures compare
    now = timezone.now()
    assembly = make_assembly(
        title="ベンチ通常総会", roll_frozen_at=now, opened_at=now, closed_at=now
    )
    entries = RollEntry.objects.bulk_create(
        (
            RollEntry(assembly=assembly, organisation=o, votes=1 + n % 4)
            for n, o in enumerate(organisations)
        ),
        batch_size=BATCH,
    )
    ordinary, special = make_thresholds()
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            assembly=assembly,
            order=k + 1,
            title=f"第{k + 1}号議案",
            threshold=special if k >= ITEMS - 2 else ordinary,
            chair_choice=rng.choice(Choice.values),
        )
        for k in range(ITEMS)
    )

    modes = [Mode.ONLINE] * 7 + [Mode.PROXY_CHAIR, Mode.PROXY_MEMBER, None]
    by_mode = {mode: [] for mode in modes}
    for entry in entries:
        by_mode[rng.choice(modes)].append(entry)
    online = by_mode[Mode.ONLINE]
    holders = rng.sample(online, PROXY_HOLDERS)
    delegated_to = {e.pk: rng.choice(holders) for e in by_mode[Mode.PROXY_MEMBER]}
    Participation.objects.bulk_create(
        (
            Participation(entry=e, mode=mode, proxy_to=delegated_to.get(e.pk))
            for mode, taking_part in by_mode.items()
            if mode is not None
            for e in taking_part
        ),
        batch_size=BATCH,
    )
    choices = {
        item.pk: rng.choices(Choice.values, weights=LEANINGS[k], k=len(online))
        for k, item in enumerate(items)
    }
    Ballot.objects.bulk_create(
        (
            Ballot(item=item, voter=e, choice=choices[item.pk][n])
            for item in items
            for n, e in enumerate(online)
        ),
        batch_size=BATCH,
    )

    # The expected figures, counted from the lists above and not from the database.
    weight = {e.pk: (e.votes, 1) for e in online}
    for delegator in by_mode[Mode.PROXY_MEMBER]:
        holder = delegated_to[delegator.pk].pk
        weight[holder] = (weight[holder][0] + delegator.votes, weight[holder][1] + 1)
    chair = (sum(e.votes for e in by_mode[Mode.PROXY_CHAIR]), len(by_mode[Mode.PROXY_CHAIR]))
    expected = {}
    for item in items:
        votes, heads = dict.fromkeys(Choice.values, 0), dict.fromkeys(Choice.values, 0)
        for e, choice in zip(online, choices[item.pk], strict=True):
            votes[choice] += weight[e.pk][0]
            heads[choice] += weight[e.pk][1]
        votes[item.chair_choice] += chair[0]
        heads[item.chair_choice] += chair[1]
        expected[item.pk] = (votes, heads)
    taking_part = [e for mode, found in by_mode.items() if mode is not None for e in found]
    figures = {
        "roll_votes": sum(e.votes for e in entries),
        "roll_heads": len(entries),
        "present_votes": sum(e.votes for e in taking_part),
    }
    counts = {mode: len(found) for mode, found in by_mode.items()}
    return assembly, figures, expected, counts, len(online) * ITEMS


def reaches(part, whole, numerator, denominator, strict):
    return whole > 0 and (
        part * denominator > whole * numerator
        if strict
        else part * denominator >= whole * numerator
    )


def verify(result, figures, expected) -> None:
    """The tally's figures must be the ones counted in Python, or the timing means nothing."""
    got = {name: getattr(result, name) for name in figures}
    check(got == figures, f"the tally counted {got}, expected {figures}.")
    assembly = result.assembly
    quorum = reaches(
        figures["present_votes"],
        figures["roll_votes"],
        assembly.quorum_numerator,
        assembly.quorum_denominator,
        assembly.quorum_strict,
    )
    check(result.quorum == quorum, f"the tally says quorum={result.quorum}, expected {quorum}.")
    check(
        len(result.items) == ITEMS, f"the tally has {len(result.items)} items, expected {ITEMS}."
    )
    for item_result in result.items:
        item = item_result.item
        votes, heads = expected[item.pk]
        check(
            (item_result.votes, item_result.heads) == (votes, heads),
            f"{item.title}: the tally counted votes={item_result.votes} "
            f"heads={item_result.heads}, expected votes={votes} heads={heads}.",
        )
        t = item.threshold
        passed = quorum and reaches(
            votes[Choice.FOR],
            sum(votes.values()),
            t.votes_numerator,
            t.votes_denominator,
            t.votes_strict,
        )
        if passed and t.headcount_numerator is not None:
            passed = reaches(
                heads[Choice.FOR],
                figures["roll_heads"],
                t.headcount_numerator,
                t.headcount_denominator,
                t.headcount_strict,
            )
        check(
            item_result.passed == passed,
            f"{item.title}: the tally says passed={item_result.passed}, expected {passed}.",
        )


def bench_tally() -> str:
    organisations = list(Organisation.objects.order_by("pk")[:VOTERS])
    check(len(organisations) == VOTERS, f"{len(organisations)} organisations, expected {VOTERS}.")
    progress(f"assembly: {VOTERS} voters × {ITEMS} items")
    started = time.perf_counter()
    with transaction.atomic():
        assembly, figures, expected, counts, ballots = build(organisations)
    progress(
        f"assembly built in {time.perf_counter() - started:.1f}s: "
        + ", ".join(f"{mode or 'absent'}={n}" for mode, n in counts.items())
        + f", ballots={ballots}"
    )
    stored = Ballot.objects.filter(item__assembly=assembly).count()
    check(stored == ballots, f"{stored} ballots stored, expected {ballots}.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Untimed first run, which is also the one checked (the timed runs read the same rows).
    with CaptureQueriesContext(connection) as queries:
        verify(tally(assembly), figures, expected)
    progress(f"assembly tally: {RUNS} runs ({len(queries)} queries each)")
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        tally(assembly)
        samples.append(time.perf_counter() - started)
    seconds = statistics.median(samples)
    return f"assemblies.tally voters={VOTERS} items={ITEMS} seconds={seconds:.3f}"

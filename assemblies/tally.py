"""Counting an assembly: quorum and each item's outcome, by votes and by headcount, in the
database (a few aggregate queries whatever the size of the roll).

Every organisation that took part (online, in person or by proxy) is present for the
quorum. A ballot counts with its voter's votes plus those of every member that gave the
voter its proxy; the chair's vote on an item counts with the proxies given to the chair."""

from dataclasses import dataclass, field
from fractions import Fraction

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import pgettext_lazy

from .models import Assembly, Ballot, Choice, Participation
from .rules import reaches

CHOICES = Choice.values


class Outcome(models.TextChoices):
    """What became of an item: the one wording of the results page, the live view, the
    minutes and their workbook."""

    CARRIED = "carried", pgettext_lazy("resolution", "carried")
    REJECTED = "rejected", pgettext_lazy("resolution", "rejected")
    NO_QUORUM = "no_quorum", pgettext_lazy("resolution", "not decided (no quorum)")


@dataclass
class ItemResult:
    item: object
    votes: dict[str, int] = field(default_factory=dict)
    heads: dict[str, int] = field(default_factory=dict)
    outcome: Outcome = Outcome.NO_QUORUM

    @property
    def votes_exercised(self) -> int:
        return sum(self.votes.values())

    @property
    def passed(self) -> bool:
        return self.outcome == Outcome.CARRIED


def decide(result: ItemResult, quorum: bool, roll_heads: int) -> Outcome:
    """An item's outcome: without a quorum the assembly decides nothing (不成立), whatever
    the count; with one, the item's threshold carries or rejects it."""
    if not quorum:
        return Outcome.NO_QUORUM
    return Outcome.CARRIED if passes(result, roll_heads) else Outcome.REJECTED


@dataclass
class Tally:
    assembly: Assembly
    roll_votes: int
    roll_heads: int
    present_votes: int
    quorum: bool
    items: list[ItemResult]


def tally(assembly: Assembly, items=None) -> Tally:
    """`items`: the assembly's agenda items with their thresholds, when the caller has them."""
    voters = assembly.roll.filter(eligible=True)
    roll = voters.aggregate(
        total=Sum("votes", default=0),
        heads=Count("id", filter=Q(counts_for_headcount=True)),
        present_votes=Sum(
            "votes",
            filter=Q(Exists(Participation.objects.filter(entry=OuterRef("pk")))),
            default=0,
        ),
    )
    present = roll["present_votes"]
    quorum = reaches(
        present,
        roll["total"],
        Fraction(assembly.quorum_numerator, assembly.quorum_denominator),
        strict=assembly.quorum_strict,
    )
    by_item: dict[int, ItemResult] = {}
    for item in items if items is not None else assembly.items.select_related("threshold"):
        by_item[item.pk] = ItemResult(item, dict.fromkeys(CHOICES, 0), dict.fromkeys(CHOICES, 0))
    for row in _counted(assembly):
        result = by_item[row["item_id"]]
        result.votes[row["choice"]] += row["votes"] or 0
        result.heads[row["choice"]] += row["heads"]
    chair = Participation.objects.filter(
        entry__assembly=assembly, entry__eligible=True, mode=Participation.Mode.PROXY_CHAIR
    ).aggregate(
        votes=Sum("entry__votes", default=0),
        heads=Count("pk", filter=Q(entry__counts_for_headcount=True)),
    )
    for result in by_item.values():
        if result.item.chair_choice:
            result.votes[result.item.chair_choice] += chair["votes"]
            result.heads[result.item.chair_choice] += chair["heads"]
    for result in by_item.values():
        result.outcome = decide(result, quorum, roll["heads"])
    return Tally(assembly, roll["total"], roll["heads"], present, quorum, list(by_item.values()))


def _counted(assembly: Assembly):
    """Per item and choice: the voters' own weight, then the weight of the proxies they
    hold (two queries, so that neither join multiplies the other's rows)."""
    ballots = Ballot.objects.filter(item__assembly=assembly).values("item_id", "choice").order_by()
    own = ballots.filter(voter__eligible=True).annotate(
        votes=Sum("voter__votes"),
        heads=Count("pk", filter=Q(voter__counts_for_headcount=True)),
    )
    # A holder that lost its vote by a correction carries no proxies either.
    delegated = ballots.filter(
        voter__eligible=True, voter__proxies_held__entry__eligible=True
    ).annotate(
        votes=Sum("voter__proxies_held__entry__votes"),
        heads=Count(
            "voter__proxies_held", filter=Q(voter__proxies_held__entry__counts_for_headcount=True)
        ),
    )
    yield from own
    yield from delegated


def passes(result: ItemResult, roll_heads: int) -> bool:
    """For-votes against the votes exercised (abstentions included) and, when the
    threshold asks, for-voters against all voting members on the roll."""
    threshold = result.item.threshold
    share = Fraction(threshold.votes_numerator, threshold.votes_denominator)
    if not reaches(
        result.votes[Choice.FOR],
        result.votes_exercised,
        share,
        strict=threshold.votes_strict,
    ):
        return False
    if threshold.headcount_numerator is None:
        return True
    heads = Fraction(threshold.headcount_numerator, threshold.headcount_denominator)
    return reaches(result.heads[Choice.FOR], roll_heads, heads, strict=threshold.headcount_strict)

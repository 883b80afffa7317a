"""Counting an assembly: quorum and each item's outcome, by votes and by headcount, in the
database (a few aggregate queries whatever the size of the roll)."""

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, Q, Sum

from .models import Assembly, Ballot
from .rules import reaches

CHOICES = [choice for choice, _label in Ballot.Choice.choices]


@dataclass
class ItemResult:
    item: object
    votes: dict[str, int] = field(default_factory=dict)
    heads: dict[str, int] = field(default_factory=dict)
    passed: bool = False

    @property
    def votes_exercised(self) -> int:
        return sum(self.votes.values())


@dataclass
class Tally:
    assembly: Assembly
    roll_votes: int
    roll_heads: int
    present_votes: int
    quorum: bool
    items: list[ItemResult]


def tally(assembly: Assembly) -> Tally:
    voters = assembly.roll.filter(eligible=True)
    roll = voters.aggregate(
        total=Sum("votes", default=0),
        heads=Count("id", filter=Q(counts_for_headcount=True)),
        present_votes=Sum(
            "votes", filter=Q(Exists(Ballot.objects.filter(voter=OuterRef("pk")))), default=0
        ),
    )
    present = roll["present_votes"]
    quorum = reaches(
        present,
        roll["total"],
        Fraction(assembly.quorum_numerator, assembly.quorum_denominator),
        strict=assembly.quorum_strict,
    )
    counted = (
        Ballot.objects.filter(item__assembly=assembly, voter__eligible=True)
        .values("item_id", "choice")
        .annotate(
            votes=Sum("voter__votes"),
            heads=Count("id", filter=Q(voter__counts_for_headcount=True)),
        )
        .order_by()
    )
    by_item: dict[int, ItemResult] = {}
    items = list(assembly.items.select_related("threshold"))
    for item in items:
        by_item[item.pk] = ItemResult(item, dict.fromkeys(CHOICES, 0), dict.fromkeys(CHOICES, 0))
    for row in counted:
        result = by_item[row["item_id"]]
        result.votes[row["choice"]] = row["votes"]
        result.heads[row["choice"]] = row["heads"]
    for result in by_item.values():
        result.passed = quorum and passes(result, roll["heads"])
    return Tally(assembly, roll["total"], roll["heads"], present, quorum, list(by_item.values()))


def passes(result: ItemResult, roll_heads: int) -> bool:
    """For-votes against the votes exercised (abstentions included) and, when the
    threshold asks, for-voters against all voting members on the roll."""
    threshold = result.item.threshold
    share = Fraction(threshold.votes_numerator, threshold.votes_denominator)
    if not reaches(
        result.votes[Ballot.Choice.FOR],
        result.votes_exercised,
        share,
        strict=threshold.votes_strict,
    ):
        return False
    if threshold.headcount_numerator is None:
        return True
    heads = Fraction(threshold.headcount_numerator, threshold.headcount_denominator)
    return reaches(
        result.heads[Ballot.Choice.FOR], roll_heads, heads, strict=threshold.headcount_strict
    )

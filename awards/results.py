"""A round's results (DESIGN-NOTES "Award judging").

Each judge's score for an entry is the weighted mean of their rubric scores (fit scores
for prizes are averaged separately and never totalled). Across judges: mean, median,
spread (max − min) and count. A judge's z-score for an entry is (their score − their mean
over the round) / their population standard deviation: a secondary column to spot a harsh
or lenient judge, never a basis for a decision. A review by a judge found conflicted after
scoring (a late declaration, say) counts nowhere. The weighted means come from the
database; the few thousand numbers that remain are combined here.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from .conflicts import conflicted_assignment, visible_to
from .models import Assignment, Criterion, Entry, Judge, Round, Score

PLACES = Decimal("0.01")


@dataclass
class EntryResult:
    entry: Entry
    by_judge: dict[int, Decimal] = field(default_factory=dict)
    z: dict[int, float] = field(default_factory=dict)
    fit: dict[int, Decimal] = field(default_factory=dict)
    mean: Decimal | None = None
    median: Decimal | None = None
    spread: Decimal | None = None
    flagged: bool = False
    rank: int | None = None
    fit_values: list = field(default_factory=list)  # in the order of the table's columns
    judge_values: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.by_judge)


def _weighted_by_assignment(round: Round, conflicted: list[int]):
    """(entry id, judge id, weighted mean) of every completed review, from the database."""
    rubric = Q(scores__criterion__prize__isnull=True)
    return (
        Assignment.objects.filter(round=round, scored_at__isnull=False)
        .exclude(pk__in=conflicted)
        .values("entry_id", "judge_id")
        .annotate(
            points=Sum(F("scores__value") * F("scores__criterion__weight"), filter=rubric),
            weight=Sum("scores__criterion__weight", filter=rubric),
        )
        .filter(weight__gt=0)
        .values_list("entry_id", "judge_id", "points", "weight")
    )


def _fit_means(round: Round, conflicted: list[int]):
    return (
        Score.objects.filter(
            assignment__round=round,
            assignment__scored_at__isnull=False,
            criterion__prize__isnull=False,
        )
        .exclude(assignment_id__in=conflicted)
        .values("assignment__entry_id", "criterion__prize_id")
        .annotate(total=Sum("value"), n=Count("pk"))
        .values_list("assignment__entry_id", "criterion__prize_id", "total", "n")
    )


def z_scores(by_judge_entry: dict[tuple[int, int], Decimal]) -> dict[tuple[int, int], float]:
    """(judge, entry) → z over that judge's scores; absent where the judge's scores do not
    vary (a judge with one score, or the same score everywhere)."""
    per_judge = defaultdict(list)
    for (judge_id, _entry_id), value in by_judge_entry.items():
        per_judge[judge_id].append(value)
    moments = {}
    for judge_id, values in per_judge.items():
        deviation = statistics.pstdev(values) if len(values) > 1 else 0
        if deviation:
            moments[judge_id] = (statistics.fmean(values), float(deviation))
    return {
        (judge_id, entry_id): (float(value) - moments[judge_id][0]) / moments[judge_id][1]
        for (judge_id, entry_id), value in by_judge_entry.items()
        if judge_id in moments
    }


def round_results(round: Round, *, viewer: Judge | None = None) -> list[EntryResult]:
    """Results ranked by mean (best first); a viewing judge (the chair) does not see the
    entries they are conflicted with."""
    entries = (
        Entry.objects.active()
        .filter(Exists(Assignment.objects.filter(round=round, entry=OuterRef("pk"))))
        .select_related("track", "edition")
        # What the table and the workbook show: hundreds of rows of every column (dates
        # among them) were most of this page's time.
        .only("title", "organisation_name", "track__name", "edition__year")
    )
    if viewer is not None:
        entries = visible_to(viewer, entries)
    results = {entry.pk: EntryResult(entry) for entry in entries}
    scores = {}
    # Usually none or a few: checked once, so the aggregates stay plain.
    conflicted = list(
        Assignment.objects.filter(round=round)
        .filter(conflicted_assignment())
        .values_list("pk", flat=True)
    )
    for entry_id, judge_id, points, weight in _weighted_by_assignment(round, conflicted):
        if entry_id in results:
            scores[judge_id, entry_id] = (points / weight).quantize(PLACES)
    for (judge_id, entry_id), value in scores.items():
        results[entry_id].by_judge[judge_id] = value
    for (judge_id, entry_id), value in z_scores(scores).items():
        results[entry_id].z[judge_id] = value
    for entry_id, prize_id, total, n in _fit_means(round, conflicted):
        if entry_id in results:
            results[entry_id].fit[prize_id] = (Decimal(total) / n).quantize(PLACES)
    for result in results.values():
        values = list(result.by_judge.values())
        if values:
            result.mean = (sum(values) / len(values)).quantize(PLACES)
            result.median = Decimal(statistics.median(values)).quantize(PLACES)
            result.spread = max(values) - min(values)
            result.flagged = result.spread >= round.disagreement_spread
    ranked = sorted(results.values(), key=lambda r: (r.mean is None, -(r.mean or 0), r.entry.pk))
    for position, result in enumerate(ranked, 1):
        result.rank = position if result.mean is not None else None
    return ranked


SORT_KEYS = {
    "rank": lambda r: (r.rank is None, r.rank or 0),
    "mean": lambda r: (r.mean is None, -(r.mean or 0)),
    "median": lambda r: (r.median is None, -(r.median or 0)),
    "spread": lambda r: (r.spread is None, -(r.spread or 0)),
    "count": lambda r: -r.count,
    "title": lambda r: r.entry.title,
}


SORT_COLUMNS = [
    ("rank", gettext_lazy("Rank")),
    ("title", gettext_lazy("Entry")),
    ("mean", gettext_lazy("Mean")),
    ("median", gettext_lazy("Median")),
    ("spread", gettext_lazy("Spread")),
    ("count", gettext_lazy("Scores")),
]


def table(results: list[EntryResult], key: str, judges, fits) -> list[EntryResult]:
    """The results sorted by `key`, each with its fit and judge columns in order."""
    for result in results:
        result.fit_values = [result.fit.get(criterion.prize_id) for criterion in fits]
        result.judge_values = [_judge_cell(result, judge.pk) for judge in judges]
    return sorted(results, key=SORT_KEYS.get(key, SORT_KEYS["rank"]))


def _judge_cell(result: EntryResult, judge_id: int) -> tuple[str, str]:
    """A judge's score and z as the table shows them ("—" for none, z to two places):
    formatted once here rather than through filters in thousands of cells."""
    score = result.by_judge.get(judge_id)
    z = result.z.get(judge_id)
    return ("—" if score is None else str(score), "" if z is None else f"{z:.2f}")


def fit_criteria(round: Round):
    """The prizes whose fit is scored in this round, for the results' columns."""
    return Criterion.objects.filter(round=round, prize__isnull=False).select_related("prize")


def export_columns(judges: list[Judge], fits) -> list:
    """Columns of the results workbook: the figures, then each judge's score and z."""
    columns = [
        (_("Rank"), lambda r: r.rank),
        (_("Reference"), lambda r: r.entry.reference),
        (pgettext("award entry", "Title"), lambda r: r.entry.title),
        (_("Organisation"), lambda r: r.entry.organisation_name),
        (_("Track"), lambda r: r.entry.track.name),
        (_("Mean"), lambda r: r.mean),
        (_("Median"), lambda r: r.median),
        (_("Spread"), lambda r: r.spread),
        (_("Scores"), lambda r: r.count),
        (_("Disagreement"), lambda r: _("yes") if r.flagged else ""),
    ]
    for criterion in fits:
        columns.append(
            (_("Fit: %(prize)s") % {"prize": criterion.prize}, _fit_of(criterion.prize_id))
        )
    for judge in judges:
        columns.append((str(judge), _score_of(judge.pk)))
        columns.append((f"{judge} z", _z_of(judge.pk)))
    return columns


def _fit_of(prize_id):
    return lambda r: r.fit.get(prize_id)


def _score_of(judge_id):
    return lambda r: r.by_judge.get(judge_id)


def _z_of(judge_id):
    return lambda r: round(r.z[judge_id], 2) if judge_id in r.z else None

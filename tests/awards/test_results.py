"""Score aggregation on a hand-computed example, and who sees the results.

Rubric: A (weight 1) and B (weight 3), scale 1–5, plus the fit for a prize (not totalled).

    judge  entry  A  B  fit   weighted (A + 3B) / 4
    J1     E1     4  2  4     2.50
    J1     E2     5  5  5     5.00
    J2     E1     3  3  2     3.00
    J2     E2     2  4  4     3.50
    J3     E1     5  5  3     5.00          (J3 does not score E2)

E1: mean 3.50, median 3.00, spread 2.50, 3 scores, fit 3.00 — flagged (spread ≥ 2)
E2: mean 4.25, median 4.25, spread 1.50, 2 scores, fit 4.50
z (population sd): J1 mean 3.75 sd 1.25 → E1 −1, E2 +1; J2 mean 3.25 sd 0.25 → −1, +1;
J3 has one score: no z.
"""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from awards import judging, results
from awards.models import Criterion, Round
from tests import factories

pytestmark = pytest.mark.django_db

SCORES = {
    ("J1", "E1"): (4, 2, 4),
    ("J1", "E2"): (5, 5, 5),
    ("J2", "E1"): (3, 3, 2),
    ("J2", "E2"): (2, 4, 4),
    ("J3", "E1"): (5, 5, 3),
}


@pytest.fixture
def scored(judging_edition, secretariat, judge):
    now = timezone.now()
    stage = Round.objects.create(
        edition=judging_edition,
        name="検算",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        disagreement_spread=Decimal(2),
    )
    prize = judging_edition.prizes.get(name="経済産業大臣賞")
    a = Criterion.objects.create(round=stage, name="A", weight=1)
    b = Criterion.objects.create(round=stage, name="B", weight=3)
    fit = Criterion.objects.create(round=stage, name="fit", prize=prize)
    entries = {name: factories.make_entry(judging_edition, title=name) for name in ("E1", "E2")}
    judges = {
        "J1": factories.make_judge(judging_edition, judge, is_chair=True),
        "J2": factories.make_judge(judging_edition),
        "J3": factories.make_judge(judging_edition),
    }
    judging.assign(stage, judges.values(), judging_edition.entries.all(), secretariat)
    for (j, e), (va, vb, vf) in SCORES.items():
        assignment = judges[j].assignments.get(entry=entries[e])
        judging.save_review(assignment.pk, {a.pk: va, b.pk: vb, fit.pk: vf}, "", judges[j].user)
    return stage, entries, judges, prize


def test_weighted_mean_median_spread_and_z_scores(scored):
    stage, _entries, judges, prize = scored
    by_title = {r.entry.title: r for r in results.round_results(stage)}
    e1, e2 = by_title["E1"], by_title["E2"]

    assert e1.by_judge == {
        judges["J1"].pk: Decimal("2.50"),
        judges["J2"].pk: Decimal("3.00"),
        judges["J3"].pk: Decimal("5.00"),
    }
    assert (e1.mean, e1.median, e1.spread, e1.count) == (
        Decimal("3.50"), Decimal("3.00"), Decimal("2.50"), 3
    )  # fmt: skip
    assert (e2.mean, e2.median, e2.spread, e2.count) == (
        Decimal("4.25"), Decimal("4.25"), Decimal("1.50"), 2
    )  # fmt: skip
    assert e1.flagged and not e2.flagged
    assert (e2.rank, e1.rank) == (1, 2)
    assert e1.fit == {prize.pk: Decimal("3.00")} and e2.fit == {prize.pk: Decimal("4.50")}
    assert e1.z[judges["J1"].pk] == pytest.approx(-1) and e2.z[judges["J1"].pk] == pytest.approx(1)
    assert e1.z[judges["J2"].pk] == pytest.approx(-1) and e2.z[judges["J2"].pk] == pytest.approx(1)
    assert judges["J3"].pk not in e1.z


def test_sorting_and_an_unscored_review_not_counted(scored, secretariat):
    stage, entries, judges, _prize = scored
    ranked = results.round_results(stage)
    assert [r.entry.title for r in results.table(ranked, "spread", [], [])] == ["E1", "E2"]
    assert [r.entry.title for r in results.table(ranked, "median", [], [])] == ["E2", "E1"]
    assert [r.entry.title for r in results.table(ranked, "title", [], [])] == ["E1", "E2"]
    unscored = judges["J3"].assignments.get(entry=entries["E2"])
    assert unscored.scored_at is None
    assert judges["J3"].pk not in next(r for r in ranked if r.entry.title == "E2").by_judge


def test_the_results_page_and_its_excel_export(client, scored, secretariat_with_mfa):
    stage, _entries, judges, _prize = scored
    client.force_login(secretariat_with_mfa)
    url = reverse("awards:results", args=[stage.pk])
    page = client.get(url, {"sort": "mean"})
    assert [r.entry.title for r in page.context["results"]] == ["E2", "E1"]
    html = page.content.decode()
    assert "4.25" in html and "3.50" in html and "table-warning" in html
    # E1's judge cells: J1 and J2 with their z, J3 (its only score, no z) plain.
    assert (
        '<td class="text-end text-nowrap">2.50 <span class="text-body-secondary">(-1.00)</span>'
        in html
    )
    assert '<td class="text-end text-nowrap">5.00</td>' in html

    meeting = client.get(url, {"meeting": "1"}).content.decode()
    assert "meeting-mode" in meeting and judges["J2"].user.email not in meeting

    export = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first[header[2]] == "E2" and first[header[0]] == 1
    assert Decimal(str(first[header[5]])) == Decimal("4.25")


def test_the_chair_sees_results_without_its_conflicted_entries(client, scored, judge, outsider):
    stage, entries, judges, _prize = scored
    client.force_login(judge)  # J1, the chair
    url = reverse("awards:results", args=[stage.pk])
    assert {r.entry.title for r in client.get(url).context["results"]} == {"E1", "E2"}
    judging.declare_conflict(judges["J1"], entries["E1"], "personal", "", judge)
    assert {r.entry.title for r in client.get(url).context["results"]} == {"E2"}

    client.force_login(judges["J2"].user)  # a judge, not the chair
    assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_a_review_by_a_judge_conflicted_after_scoring_counts_nowhere(scored, secretariat):
    stage, entries, judges, prize = scored
    judging.declare_conflict(judges["J3"], entries["E1"], "collaboration", "共同事業", secretariat)
    e1 = next(r for r in results.round_results(stage) if r.entry.title == "E1")
    assert judges["J3"].pk not in e1.by_judge and e1.count == 2
    assert (e1.mean, e1.median) == (Decimal("2.75"), Decimal("2.75"))
    assert e1.fit == {prize.pk: Decimal("3.00")}  # (4 + 2) / 2

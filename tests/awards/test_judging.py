"""Judging: conflicts of interest, assignment, scoring within the round, the audit trail."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from awards import conflicts, judging
from awards.models import Assignment, AuditEvent, Conflict, Nomination
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(judging_edition, applicant, organisation, other_organisation, member):
    """Four submitted entries: by the judge's organisation, with it as partner, nominated
    by the judge, and one with no link (but the judge's prefecture)."""
    own = factories.make_entry(
        judging_edition, applicant, organisation=organisation, title="自組織"
    )
    partner = factories.make_entry(judging_edition, applicant, title="連携先")
    partner.co_applicant_organisations.add(organisation)
    nominated = factories.make_entry(judging_edition, applicant, title="推薦")
    Nomination.objects.create(
        entry=nominated, nominator=member, nominator_organisation="x", reason="r",
        nominee_name="n", nominee_email="n@example.jp",
    )  # fmt: skip
    free = factories.make_entry(
        judging_edition, applicant, organisation=other_organisation, title="無関係", prefecture=17
    )
    return own, partner, nominated, free


@pytest.fixture
def member_judge(judging_edition, member, organisation):
    """A judge who is a contact of `organisation` (in prefecture 17)."""
    return judging.appoint(judging_edition, member)


def test_conflicts_are_computed_from_the_data_and_declared(
    member_judge, entries, judging_edition, first_round, secretariat
):
    own, _partner, _nominated, free = entries
    assert member_judge.organisation_id == own.organisation_id and member_judge.prefecture == 17
    visible = set(conflicts.visible_to(member_judge, judging_edition.entries.all()))
    assert visible == {free}

    _judges, listed, cells = conflicts.matrix(judging_edition)
    kinds = {
        entry.title: [f.kind for f in cells.get((member_judge.pk, entry.pk), [])]
        for entry in listed
    }
    assert kinds == {
        "自組織": ["same_organisation"],
        "連携先": ["co_applicant"],
        "推薦": ["nominator"],
        "無関係": ["same_prefecture"],  # soft: shown, not excluding
    }

    judging.declare_conflict(
        member_judge, free, Conflict.Kind.PERSONAL, "元同僚", member_judge.user
    )
    assert not conflicts.visible_to(member_judge, judging_edition.entries.all()).exists()
    _judges, listed, cells = conflicts.matrix(judging_edition)
    assert [f.kind for f in cells[member_judge.pk, free.pk]] == ["personal", "same_prefecture"]
    # the matrix's hard flags and both database filters say the same thing
    for entry in listed:
        Assignment.objects.create(round=first_round, judge=member_judge, entry=entry)
    flagged = Assignment.objects.filter(conflicts.conflicted_assignment())
    for entry in listed:
        hard = any(f.hard for f in cells.get((member_judge.pk, entry.pk), []))
        assert hard == conflicts.is_conflicted(member_judge, entry.pk)
        assert hard == flagged.filter(entry=entry).exists()
    assert AuditEvent.objects.filter(action="conflict_declared", entry=free).exists()


def test_assignment_skips_conflicts_and_shows_the_load(
    member_judge, judgeship, entries, first_round, judging_edition, secretariat
):
    made, skipped = judging.assign(
        first_round, [member_judge, judgeship], judging_edition.entries.all(), secretariat
    )
    assert (made, skipped) == (5, 3)
    load = {judge.pk: (judge.assigned, judge.scored) for judge in judging.load(first_round)}
    assert load == {member_judge.pk: (1, 0), judgeship.pk: (4, 0)}
    again = judging.assign(first_round, [judgeship], judging_edition.entries.all(), secretariat)
    assert again == (0, 0)
    assert AuditEvent.objects.filter(action="assigned", round=first_round).count() == 2


def test_a_conflicted_judge_gets_404_and_does_not_see_the_entry_in_the_list(
    client, member, member_judge, entries, first_round, secretariat
):
    own, _partner, _nominated, free = entries
    # Even an assignment made before a conflict was known does not open the entry.
    Assignment.objects.create(round=first_round, judge=member_judge, entry=own)
    Assignment.objects.create(round=first_round, judge=member_judge, entry=free)
    client.force_login(member)
    listed = client.get(reverse("awards:judging")).context["worklists"]
    assert [a.entry for _round, rows in listed for a in rows] == [free]
    assert client.get(reverse("awards:review", args=[first_round.pk, own.pk])).status_code == 404
    assert client.get(reverse("awards:review", args=[first_round.pk, free.pk])).status_code == 200


def rubric_post(first_round, value=4, **extra):
    data = {f"criterion_{c.pk}": value for c in first_round.criteria.all()}
    return {**data, "comment": "連携体制が優れている。", **extra}


def test_a_judge_scores_once_per_round_and_may_change_it_until_the_round_closes(
    client, judge, judgeship, entries, first_round, judging_edition, secretariat
):
    *_, free = entries
    judging.assign(first_round, [judgeship], judging_edition.entries.all(), secretariat)
    client.force_login(judge)
    url = reverse("awards:review", args=[first_round.pk, free.pk])

    response = client.post(
        url, {**rubric_post(first_round), f"criterion_{first_round.criteria.first().pk}": 9}
    )
    assert response.status_code == 200 and response.context["form"].errors  # out of scale

    assert client.post(url, rubric_post(first_round, 4)).status_code == 302
    assert client.post(url, rubric_post(first_round, 5)).status_code == 302
    assignment = judgeship.assignments.get(entry=free)
    assert set(assignment.scores.values_list("value", flat=True)) == {5}
    assert assignment.scores.count() == first_round.criteria.count()
    actions = list(AuditEvent.objects.filter(entry=free).values_list("action", flat=True))
    assert actions == ["score_changed", "scored"]
    changed = AuditEvent.objects.get(action="score_changed")
    assert changed.actor == judge and changed.detail["changes"]["独自性"] == [4, 5]

    judging.close_round(first_round.pk, secretariat)
    assert client.get(url).status_code == 404
    with translation.override("en"), pytest.raises(ValidationError, match="not open"):
        judging.save_review(
            assignment.pk, {c.pk: 1 for c in first_round.criteria.all()}, "", judge
        )
    assert set(assignment.scores.values_list("value", flat=True)) == {5}

    # Only the secretariat changes a closed round's scores, with a reason, audited.
    values = {c.pk: 3 for c in first_round.criteria.all()}
    with pytest.raises(ValidationError):
        judging.correct_review(assignment.pk, values, "", "", secretariat)
    judging.correct_review(assignment.pk, values, "訂正", "記入誤りの訂正", secretariat)
    assert set(assignment.scores.values_list("value", flat=True)) == {3}
    corrected = AuditEvent.objects.get(action="score_corrected")
    assert corrected.actor == secretariat and corrected.detail["reason"] == "記入誤りの訂正"


def test_no_judging_before_the_round_opens(
    client, judge, judgeship, entries, judging_edition, secretariat
):
    final = judging_edition.rounds.order_by("order").last()
    assert final.opens_at > timezone.now()
    judging.assign(final, [judgeship], judging_edition.entries.all(), secretariat)
    *_, free = entries
    client.force_login(judge)
    assert client.get(reverse("awards:review", args=[final.pk, free.pk])).status_code == 404
    rounds = [round for round, _rows in client.get(reverse("awards:judging")).context["worklists"]]
    assert final not in rounds
    assignment = judgeship.assignments.get(entry=free, round=final)
    with translation.override("en"), pytest.raises(ValidationError, match="not open"):
        judging.save_review(assignment.pk, {c.pk: 3 for c in final.criteria.all()}, "", judge)
    assert judging.open_round(final.pk, secretariat)
    assert client.get(reverse("awards:review", args=[final.pk, free.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="round_opened", round=final).exists()


def test_other_judges_scores_stay_hidden_until_the_secretariat_shows_them(
    client, judge, judgeship, entries, first_round, judging_edition, secretariat
):
    *_, free = entries
    second = factories.make_judge(judging_edition)
    judging.assign(first_round, [judgeship, second], judging_edition.entries.all(), secretariat)
    other = second.assignments.get(entry=free)
    judging.save_review(
        other.pk, {c.pk: 2 for c in first_round.criteria.all()}, "要検討", second.user
    )
    client.force_login(judge)
    url = reverse("awards:review", args=[first_round.pk, free.pk])
    assert list(client.get(url).context["others"]) == []
    assert "要検討" not in client.get(url).content.decode()
    judging.release_scores(first_round.pk, secretariat)
    assert list(client.get(url).context["others"]) == [other]
    assert "要検討" in client.get(url).content.decode()


def test_a_judge_of_another_edition_sees_nothing(
    client, entries, first_round, judging_edition, secretariat
):
    *_, free = entries
    elsewhere = factories.make_judge(factories.make_edition(2030))
    client.force_login(elsewhere.user)
    assert client.get(reverse("awards:review", args=[first_round.pk, free.pk])).status_code == 404
    assert client.get(reverse("awards:judging")).context["worklists"] == []


def test_closing_the_round_after_its_end_does_nothing(first_round, secretariat):
    first_round.closes_at = timezone.now() - timedelta(seconds=1)
    first_round.save()
    assert not judging.close_round(first_round.pk, secretariat)


def test_a_partial_sheet_is_a_form_error_naming_the_criteria_left_blank(
    client, judge, judgeship, entries, first_round, judging_edition, secretariat
):
    *_, free = entries
    judging.assign(first_round, [judgeship], judging_edition.entries.all(), secretariat)
    client.force_login(judge)
    url = reverse("awards:review", args=[first_round.pk, free.pk])
    criteria = list(first_round.criteria.order_by("order", "pk"))
    blank = [criteria[1], criteria[-1]]  # a rubric line and a prize's fit
    data = rubric_post(first_round, 4)
    for criterion in blank:
        data[f"criterion_{criterion.pk}"] = ""

    client.cookies["django_language"] = "en"
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    [summary] = form.non_field_errors()
    assert summary.startswith("Score every criterion to complete the review.")
    assert all(criterion.name in summary for criterion in blank)
    assert not any(criterion.name in summary for criterion in criteria if criterion not in blank)
    assert set(form.errors) == {"__all__", *(f"criterion_{c.pk}" for c in blank)}
    assert 'value="4" selected' in response.content.decode()  # what was chosen stays
    assignment = judgeship.assignments.get(entry=free)
    assert assignment.scored_at is None and not assignment.scores.exists()

    assert client.post(url, rubric_post(first_round, 4)).status_code == 302
    assignment.refresh_from_db()
    assert assignment.scored_at and assignment.scores.count() == len(criteria)


def test_a_partial_sheet_kept_as_a_draft_counts_only_once_complete(
    client, judge, judgeship, entries, first_round, judging_edition, secretariat
):
    from awards import results

    *_, free = entries
    judging.assign(first_round, [judgeship], judging_edition.entries.all(), secretariat)
    client.force_login(judge)
    url = reverse("awards:review", args=[first_round.pk, free.pk])
    first = first_round.criteria.order_by("order", "pk").first()
    data = {f"criterion_{first.pk}": "3", "comment": "途中", "draft": ""}

    assert client.post(url, data).status_code == 302
    assignment = judgeship.assignments.get(entry=free)
    assert assignment.scored_at is None
    assert dict(assignment.scores.values_list("criterion", "value")) == {first.pk: 3}
    counted = [r.count for r in results.round_results(first_round) if r.entry == free]
    assert counted == [0]  # a draft is not a review
    listed = client.get(reverse("awards:judging")).content.decode()
    assert gettext("draft saved, not counted yet") in listed
    assert 'value="3" selected' in client.get(url).content.decode()
    assert AuditEvent.objects.filter(action="draft_saved", entry=free).exists()

    assert client.post(url, rubric_post(first_round, 4)).status_code == 302
    assignment.refresh_from_db()
    assert assignment.scored_at is not None
    assert [r.count for r in results.round_results(first_round) if r.entry == free] == [1]
    # A review that counts is not turned back into a draft.
    with translation.override("en"), pytest.raises(ValidationError, match="counts already"):
        judging.save_review(assignment.pk, {first.pk: 1}, "", judge, draft=True)
    assert assignment.scores.count() == first_round.criteria.count()


def test_the_sheet_says_what_each_point_of_the_scale_means(
    client, judge, judgeship, entries, first_round, judging_edition, secretariat
):
    *_, free = entries
    judging.assign(first_round, [judgeship], judging_edition.entries.all(), secretariat)
    client.force_login(judge)
    url = reverse("awards:review", args=[first_round.pk, free.pk])
    for language, words in [
        ("ja", ["劣る", "やや劣る", "標準的", "優れている", "特に優れている"]),
        ("en", ["poor", "weak", "adequate", "good", "outstanding"]),
    ]:
        client.cookies["django_language"] = language
        page = client.get(url).content.decode()
        legend = page[page.index("scale-legend") :]
        for point, word in enumerate(words, 1):
            assert re.search(rf"<dt[^>]*>{point}</dt><dd[^>]*>{word}</dd>", legend), word
        assert f"5 – {words[-1]}</option>" in page


def test_the_secretariats_correction_of_a_partial_sheet_is_a_form_error_too(
    client, judgeship, entries, first_round, judging_edition, secretariat_with_mfa
):
    *_, free = entries
    judging.assign(first_round, [judgeship], judging_edition.entries.all(), secretariat_with_mfa)
    assignment = judgeship.assignments.get(entry=free)
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:awards_assignment_correct", args=[assignment.pk])
    blank = first_round.criteria.order_by("order", "pk").last()
    data = {**rubric_post(first_round, 3), f"criterion_{blank.pk}": "", "reason": "訂正"}
    response = client.post(url, data)
    assert response.status_code == 200
    [summary] = response.context["form"].non_field_errors()
    assert blank.name in summary
    assert "scale-legend" in response.content.decode()
    assert not assignment.scores.exists()

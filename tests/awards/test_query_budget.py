"""The judge's list and the results view cost a fixed number of queries, however many
entries and judges there are (5 and 500 entries × 10 judges)."""

import pytest
from django.urls import reverse

from awards.models import Decision, Entry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("entries", [5, 500])
def test_judge_list_and_results_within_budget(
    client, first_round, judging_edition, secretariat_with_mfa, entries,
    django_assert_max_num_queries,
):  # fmt: skip
    panel = factories.bulk_judging(judging_edition, first_round, entries=entries, judges=10)
    chair = panel[0].user
    chair.groups.add(*factories.make_judge(judging_edition).user.groups.all())

    client.force_login(chair)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("awards:judging"))
    assert sum(len(rows) for _round, rows in response.context["worklists"]) == entries

    with django_assert_max_num_queries(12):
        response = client.get(reverse("awards:results", args=[first_round.pk]))
    assert len(response.context["results"]) == entries
    assert all(result.count == 10 for result in response.context["results"])

    client.force_login(secretariat_with_mfa)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("awards:results", args=[first_round.pk]), {"sort": "spread"})
    assert len(response.context["results"]) == entries
    with django_assert_max_num_queries(12):
        assert (
            client.get(
                reverse("awards:results", args=[first_round.pk]), {"export": "xlsx"}
            ).status_code
            == 200
        )


@pytest.mark.parametrize("count", [3, 200])
def test_public_and_admin_award_pages_within_budget(
    client, judging_edition, first_round, secretariat_with_mfa, applicant, count,
    django_assert_max_num_queries,
):  # fmt: skip
    factories.bulk_judging(judging_edition, first_round, entries=count, judges=2)
    prize = judging_edition.prizes.first()
    Decision.objects.bulk_create(
        Decision(edition=judging_edition, prize=prize, entry=entry, reason="x")
        for entry in Entry.objects.filter(edition=judging_edition)
    )
    judging_edition.announced_at = judging_edition.entry_deadline
    judging_edition.save()
    Entry.objects.filter(edition=judging_edition).update(owner=applicant)

    for url in (reverse("awards:winners"), reverse("awards:index")):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
    client.force_login(applicant)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("awards:index")).status_code == 200
    client.force_login(secretariat_with_mfa)
    for name in ("entry", "decision", "assignment", "auditevent", "round", "judge", "edition"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(f"admin:awards_{name}_changelist")).status_code == 200, name
    with django_assert_max_num_queries(20):
        assert (
            client.get(
                reverse("admin:awards_edition_conflicts", args=[judging_edition.pk])
            ).status_code
            == 200
        )
    with django_assert_max_num_queries(20):
        assert (
            client.get(reverse("admin:awards_round_assign", args=[first_round.pk])).status_code
            == 200
        )


@pytest.mark.parametrize("entries", [3, 200])
def test_a_judges_dashboard_shows_what_is_left_to_score_within_budget(
    client, first_round, judging_edition, entries, django_assert_max_num_queries
):
    panel = factories.bulk_judging(judging_edition, first_round, entries=entries, judges=2)
    judge = panel[0].user
    judge.groups.add(*factories.make_judge(judging_edition).user.groups.all())
    first_round.assignments.filter(judge=panel[0], entry__title__endswith="0000").update(
        scored_at=None
    )
    client.force_login(judge)
    client.cookies["django_language"] = "en"
    with django_assert_max_num_queries(8):
        page = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reverse("awards:judging")}"' in page
    assert f"1 of your {entries} entries left to score" in page

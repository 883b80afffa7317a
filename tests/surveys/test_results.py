"""Visibility, denominators and aggregation, on the hand-computed `example` (conftest)."""

from decimal import Decimal

import pytest

from surveys.models import Answer, Choice
from surveys.questionnaire import load
from surveys.results import results
from tests import factories

pytestmark = pytest.mark.django_db


def _by_code(outcome):
    return {r.question.code: r for r in outcome.questions}


def _counts(result):
    return {row.option.label: (row.total.count, row.total.percent) for row in result.rows}


def test_shown_questions_are_remembered_per_response(example):
    shown = {
        response.organisation.name: sorted(a.question.code for a in response.answers.all())
        for response in example.responses.prefetch_related("answers__question")
    }
    assert shown == {
        "F1財団": ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"],
        "F2財団": ["Q1", "Q2", "Q4", "Q5", "Q6"],
        "F3財団": ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"],
        "A1大学": ["Q1", "Q4", "Q6"],
        "A2大学": [],
    }


def test_counts_and_denominators(example):
    outcome = results(load(example))
    by_code = _by_code(outcome)
    assert outcome.respondents == 4
    assert by_code["Q1"].shown == 4
    assert _counts(by_code["Q1"]) == {
        "情報": (3, Decimal("75.0")),
        "アワード": (1, Decimal("25.0")),
        "交流": (1, Decimal("25.0")),
        "その他": (1, Decimal("25.0")),
    }
    assert by_code["Q2"].shown == 3
    assert _counts(by_code["Q2"]) == {"はい": (2, Decimal("66.7")), "いいえ": (1, Decimal("33.3"))}
    assert by_code["Q3"].shown == 2
    assert _counts(by_code["Q3"]) == {
        "若手": (1, Decimal("50.0")),
        "中堅": (1, Decimal("50.0")),
        "その他": (1, Decimal("50.0")),
    }


def test_averages_of_numbers_and_breakdowns(example):
    by_code = _by_code(results(load(example)))
    q4 = by_code["Q4"]
    assert (q4.shown, q4.answered, q4.average) == (4, 3, Decimal("20.0"))
    q5 = by_code["Q5"]
    assert (q5.shown, q5.answered) == (3, 2)
    assert {row.option.label: row.total.average for row in q5.rows} == {
        "A": Decimal("40.0"),
        "B": Decimal("60.0"),
    }


def test_other_and_free_text_are_listed_normalised(example):
    by_code = _by_code(results(load(example), staff=True))
    assert [
        (t["option_label"], t["description"], t["organisation"]) for t in by_code["Q1"].texts
    ] == [("その他", "メルマガ", "F2財団")]
    assert [t["description"] for t in by_code["Q3"].texts] == ["DX人材"]
    assert [t["description"] for t in by_code["Q6"].texts] == [
        "地域ブロックの会合を増やしてほしい"
    ]
    assert by_code["Q6"].text_count == 1


def test_recoded_other_counts_for_its_option_once_per_institution(example):
    other = Choice.objects.filter(option__is_other=True)
    q1, q3 = (example.questions.get(code=c) for c in ("Q1", "Q3"))
    other.filter(answer__question=q1).update(recoded_to=q1.options.get(label="情報"))
    other.filter(answer__question=q3).update(recoded_to=q3.options.get(label="若手"))
    by_code = _by_code(results(load(example)))
    # F2 chose 情報 and described メルマガ: recoding it to 情報 still counts F2 once.
    assert _counts(by_code["Q1"])["情報"] == (3, Decimal("75.0"))
    assert _counts(by_code["Q1"])["その他"] == (0, Decimal("0.0"))
    assert _counts(by_code["Q3"]) == {
        "若手": (2, Decimal("100.0")),
        "中堅": (1, Decimal("50.0")),
        "その他": (0, Decimal("0.0")),
    }


def test_cross_tabulation_by_class(example):
    outcome = results(load(example), by="class", staff=True)
    assert [(g.label, g.respondents, g.hidden) for g in outcome.groups] == [
        ("正会員", 3, False),
        ("学術機関会員", 1, False),
    ]
    q1 = _by_code(outcome)["Q1"]
    assert [column.shown for _group, column in q1.columns] == [3, 1]
    assert {row.option.label: [c.count for c in row.groups] for row in q1.rows} == {
        "情報": [2, 1],
        "アワード": [1, 0],
        "交流": [1, 0],
        "その他": [1, 0],
    }
    assert [c.average for _g, c in _by_code(outcome)["Q4"].columns] == [
        Decimal("15.0"),
        Decimal("30.0"),
    ]


def test_anonymous_surveys_hide_small_groups_and_names(example):
    example.anonymous = True
    example.save()
    outcome = results(load(example), by="class", staff=True)
    # 学術機関会員 has 1 respondent: hidden. 正会員 is hidden too, or "all" minus 正会員
    # would give the one academic member's answers away.
    assert [(g.label, g.respondents, g.hidden) for g in outcome.groups] == [
        ("正会員", 3, True),
        ("学術機関会員", 1, True),
    ]
    q1 = _by_code(outcome)["Q1"]
    assert all(cell.hidden for row in q1.rows for cell in row.groups)
    assert "organisation" not in q1.texts[0]


def test_hiding_stops_once_the_hidden_groups_reach_three(example, db):
    from members.models import RegionalBlock

    kanto = RegionalBlock.objects.create(name="関東", order=5)
    user = factories.make_user("office-blocks@example.jp")
    for name in ["K1財団", "K2財団", "K3財団", "K4財団"]:
        organisation = factories.make_organisation(name, block=kanto)
        factories.answer_survey(
            example, organisation, user, {"Q1": ["交流"], "Q2": "いいえ", "Q4": 1}
        )
    example.anonymous = True
    example.save()
    groups = results(load(example), by="class", staff=True).groups
    # 正会員 7, 学術機関会員 1: the small one is hidden with 正会員 (1 < 3).
    assert [(g.respondents, g.hidden) for g in groups] == [(7, True), (1, True)]
    groups = results(load(example), by="block", staff=True).groups
    assert [(g.label, g.respondents, g.hidden) for g in groups] == [
        ("北陸", 4, False),
        ("関東", 4, False),
    ]


def test_members_reading_published_results_see_no_small_groups(example):
    outcome = results(load(example), by="class")  # not the secretariat
    assert [g.hidden for g in outcome.groups] == [True, True]
    assert all("organisation" not in t for r in outcome.questions for t in r.texts)


def test_a_question_not_shown_stores_nothing(example):
    f2 = example.responses.get(organisation__name="F2財団")
    assert not Answer.objects.filter(response=f2, question__code="Q3").exists()

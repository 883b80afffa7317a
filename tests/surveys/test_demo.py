from decimal import Decimal

import pytest
from django.core.management import call_command

from members import demo as member_demo
from surveys import demo
from surveys.models import Answer, BankQuestion, Choice, Question, Response, Survey
from surveys.questionnaire import load
from surveys.results import results

pytestmark = pytest.mark.django_db

# 34 full and 13 academic demo institutions; the demo member's and one of each class wait.
FULL, ACADEMIC = 32, 12


def counts():
    return (
        Survey.objects.count(),
        Question.objects.count(),
        Response.objects.count(),
        Response.objects.submitted().count(),
        Answer.objects.count(),
        Choice.objects.count(),
    )


def by_code(survey):
    return {r.question.code: r for r in results(load(survey), by="class").questions}


def test_seed_demo_carries_the_2019_member_survey():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first

    survey = Survey.objects.get(title=demo.TITLE)
    assert survey.is_open()
    assert set(survey.classes.values_list("code", flat=True)) == {"full", "academic"}
    assert survey.questions.count() == 15
    assert survey.sections.first().title == "イノベーションネットの事業評価"
    limited = {
        q.code: {c.code for c in q.classes.all()}
        for q in survey.questions.prefetch_related("classes")
        if q.classes.exists()
    }
    assert limited == {
        **dict.fromkeys(["Q8", "Q9", "Q10", "Q11", "Q12", "Q15"], frozenset({"full"})),
        **dict.fromkeys(["Q13", "Q14"], frozenset({"academic"})),
    }
    conditional = survey.questions.get(code="Q10")
    assert conditional.condition_question.code == "Q9"
    assert [o.label for o in conditional.condition_options.all()] == ["はい"]
    merit = survey.questions.get(code="Q2")
    assert BankQuestion.objects.get(code="membership-merit").questions.get() == merit
    assert [(o.code, o.value, o.is_other) for o in merit.options.all()] == [
        ("1", 4, False),
        ("2", 3, False),
        ("3", 2, False),
        ("4", 1, False),
        ("5", None, True),
    ]

    responses = Response.objects.filter(survey=survey)
    assert responses.count() == FULL + ACADEMIC + 3
    assert responses.filter(invited_at__isnull=True).count() == 0
    submitted = responses.submitted()
    assert submitted.count() == FULL + ACADEMIC
    assert submitted.filter(membership_class__code="full").count() == FULL
    assert not submitted.filter(organisation__name=member_demo.DEMO_MEMBER_ORGANISATION)
    assert all(survey.opens_at < r.submitted_at < survey.closes_at for r in submitted)

    result = by_code(survey)
    info = result["Q6"]  # どのような情報が得られるとよいか
    assert info.shown == FULL + ACADEMIC
    assert [row.total.count for row in info.rows] == [38, 36, 27, 15, 1]
    assert [[cell.count for cell in row.groups] for row in info.rows] == [
        [29, 9],
        [26, 10],
        [22, 5],
        [11, 4],
        [0, 1],
    ]
    assert [[cell.count for cell in row.groups] for row in result["Q2"].rows] == [
        [4, 0],
        [12, 4],
        [8, 7],
        [7, 1],
        [1, 0],
    ]
    assert result["Q2"].average == Decimal("2.4")  # (75 + 27) / 43
    assert [row.total.count for row in result["Q4"].rows] == [3, 5, 11, 1, 23, 3]
    assert [row.total.count for row in result["Q9"].rows] == [27, 5]
    assert result["Q10"].shown == 27
    assert [row.total.count for row in result["Q10"].rows] == [20, 18, 6, 3, 2]
    assert [row.total.count for row in result["Q15"].rows] == [17, 13, 2]
    assert result["Q8"].shown == FULL
    staff = [row.total.average for row in result["Q8"].rows]
    assert staff == [Decimal(v) for v in ("31.3", "10.0", "9.4", "20.6", "13.8", "15.0")]
    assert result["Q13"].shown == ACADEMIC
    assert result["Q7"].text_count == 9
    assert {t["description"] for t in result["Q15"].texts} == set(demo.SECTIONS[-1][2][0].others)

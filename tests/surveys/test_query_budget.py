"""The answer page and the results page cost a fixed number of queries, whatever the
number of responses (10 and 1,000) and of questions."""

import pytest
from django.urls import reverse

from tests import factories
from tests.surveys.conftest import ALL_KINDS

pytestmark = pytest.mark.django_db

# The survey of conftest twice over, with a conditional question: 15 questions.
QUESTIONS = [
    *ALL_KINDS,
    *({**q, "code": f"R{q['code'][1:]}", "section": "第2部"} for q in ALL_KINDS),
    {
        "code": "C1",
        "kind": "multiple",
        "options": ["若手", "中堅"],
        "condition": ("Q1", ["あった"]),
    },
]


@pytest.mark.parametrize("responses", [10, 1000])
def test_answer_and_results_pages_within_budget(
    client, member, organisation, secretariat_with_mfa, responses, django_assert_max_num_queries
):
    survey = factories.make_survey(QUESTIONS)
    factories.bulk_responses(survey, factories.bulk_organisations(responses))
    factories.answer_survey(survey, organisation, member, {"R3": "途中"}, submit=False)

    client.force_login(member)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("surveys:answer", args=[survey.pk]))
    assert len(page.context["form"].questions) == len(QUESTIONS)
    with django_assert_max_num_queries(20):
        saved = client.post(
            reverse("surveys:autosave", args=[survey.pk]),
            {"version": page.context["response"].version},
        )
    assert saved.json()["others"] is False
    with django_assert_max_num_queries(12):
        assert client.get(reverse("surveys:index")).status_code == 200

    client.force_login(secretariat_with_mfa)
    q1_pk = survey.questions.get(code="Q1").pk
    for by in ["", "class", "block"]:
        for sort in ["", "count"]:
            with django_assert_max_num_queries(18):
                page = client.get(
                    reverse("surveys:results", args=[survey.pk]), {"by": by, "sort": sort}
                )
            assert page.context["results"].respondents == responses
            with django_assert_max_num_queries(18):
                chart = client.get(
                    reverse("surveys:chart", args=[survey.pk, q1_pk]), {"by": by, "sort": sort}
                )
            assert chart.status_code == 200
    q1 = next(r for r in page.context["results"].questions if r.question.code == "Q1")
    assert q1.shown == responses and sum(row.total.count for row in q1.rows) == responses

    r3 = survey.questions.get(code="R3")
    with django_assert_max_num_queries(16):
        page = client.get(reverse("surveys:texts", args=[survey.pk, r3.pk]))
    assert page.context["page"].paginator.count == responses
    with django_assert_max_num_queries(16):
        assert client.get(reverse("surveys:index")).status_code == 200

    with django_assert_max_num_queries(16):
        page = client.get(reverse("surveys:rate", args=[survey.pk]))
    assert page.context["total"].targeted == responses + 1

    for fmt in ["xlsx", "csv"]:
        with django_assert_max_num_queries(14):
            assert client.get(reverse("surveys:export", args=[survey.pk, fmt])).status_code == 200

    with django_assert_max_num_queries(16):
        page = client.get(reverse("surveys:invite", args=[survey.pk]), {"roles": ["primary"]})
    assert page.context["preview"].eligible == responses + 1


@pytest.mark.parametrize("copies", [1, 4])
def test_admin_survey_pages_within_budget(
    client, secretariat_with_mfa, copies, django_assert_max_num_queries
):
    questions = [
        {**q, "code": f"{q['code']}-{n}", "section": f"第{n}部"}
        for n in range(copies)
        for q in ALL_KINDS
    ]
    survey = factories.make_survey(questions)
    factories.bulk_responses(survey, factories.bulk_organisations(50))
    client.force_login(secretariat_with_mfa)
    question = survey.questions.first()
    for url in [
        reverse("admin:surveys_survey_add"),
        reverse("admin:surveys_survey_change", args=[survey.pk]),
        reverse("admin:surveys_question_change", args=[question.pk]),
        reverse("admin:surveys_survey_changelist"),
        reverse("admin:surveys_response_changelist"),
        reverse("admin:surveys_otheranswer_changelist"),
    ]:
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200, url

"""The results page as the secretariat reads it for a report: charts per membership class,
options by count, sections with their audience, one multiple-answer mark, the percentage
base of each question, and each chart downloadable as an SVG image."""

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from surveys.questionnaire import load
from surveys.results import results
from tests import factories

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def staff(client, secretariat_with_mfa):
    client.force_login(secretariat_with_mfa)
    return client


def _page(client, survey, **query) -> str:
    response = client.get(reverse("surveys:results", args=[survey.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def _code(survey, code):
    return survey.questions.get(code=code)


def _chart(client, survey, question, **query):
    return client.get(reverse("surveys:chart", args=[survey.pk, question.pk]), query)


def test_results_by_class_show_a_chart_with_a_bar_per_class(staff, example):
    page = _page(staff, example, by="class")
    q1 = _code(example, "Q1")
    charts = re.findall(r'<svg [^>]*class="survey-chart".*?</svg>', page, re.S)
    assert len(charts) == 4  # Q1, Q2, Q3 (choices) and Q5 (a breakdown)
    chart = ElementTree.fromstring(next(c for c in charts if f"chart-q{q1.pk}-" in c))
    titles = [rect.find(f"{SVG}title") for rect in chart.iter(f"{SVG}rect")]
    bars = [title.text for title in titles if title is not None]
    # Four options, one bar per class each: 情報 is 2 of 3 full members, 1 of 1 academic.
    assert len(bars) == 8
    assert "正会員: 2 (66.7%)" in bars and "学術機関会員: 1 (100.0%)" in bars
    legend = [t.text for t in chart.iter(f"{SVG}text")]
    assert "正会員" in legend and "学術機関会員" in legend
    assert 'style="' not in "".join(charts)  # the CSP forbids style attributes


def test_options_can_be_listed_most_chosen_first(staff, db):
    survey = factories.make_survey(
        [{"code": "Q1", "kind": "single", "options": ["少", "多", "中"]}]
    )
    user = factories.make_user("sort@example.jp")
    for n, label in enumerate(["多", "多", "中"]):
        organisation = factories.make_organisation(f"並{n}財団")
        factories.answer_survey(survey, organisation, user, {"Q1": label})
    rows = lambda outcome: [row.option.label for row in outcome.questions[0].rows]  # noqa: E731
    assert rows(results(load(survey))) == ["少", "多", "中"]  # the questionnaire's order
    assert rows(results(load(survey), by_count=True)) == ["多", "中", "少"]
    default, by_count = _page(staff, survey), _page(staff, survey, sort="count")
    assert default.index(">少<") < default.index(">多<")
    assert by_count.index(">多<") < by_count.index(">中<") < by_count.index(">少<")
    assert 'href="?by=&amp;sort=count"' in default  # the toggle


def test_sections_are_titled_with_their_audience(staff, db):
    survey = factories.make_survey(
        [
            {"code": "Q1", "kind": "single", "options": ["はい", "いいえ"]},
            {"code": "Q2", "kind": "single", "options": ["はい"], "classes": ["full"],
             "section": "会費について"},
            {"code": "Q3", "kind": "single", "options": ["はい"], "classes": ["full"],
             "section": "財務（正会員のみ）"},
        ]
    )  # fmt: skip
    page = _page(staff, survey)
    only = gettext("%(classes)s only") % {"classes": "正会員"}
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)
    texts = [re.sub(r"<[^>]+>", "", h).strip() for h in headings]
    assert texts == ["第1部", f"会費について {only}", "財務（正会員のみ）"]


def _heading(page, question) -> str:
    return re.search(rf'<(h\d)[^>]*id="q{question.pk}"[^>]*>(.*?)</\1>', page, re.S).group(2)


def test_a_question_says_it_is_limited_to_a_class(staff, example):
    page = _page(staff, example)
    q2 = _heading(page, _code(example, "Q2"))
    assert gettext("%(classes)s only") % {"classes": "正会員"} in q2


def test_a_multiple_choice_heading_says_multiple_answers_once(staff, member, organisation, db):
    survey = factories.make_survey(
        [
            {
                "code": "Q1",
                "kind": "multiple",
                "text": "活用した事業（複数回答可）",
                "options": ["a"],
            }
        ]
    )
    page = _page(staff, survey)
    heading = _heading(page, _code(survey, "Q1"))
    assert heading.count(gettext("(multiple answers)")) == 1
    assert "複数回答可" not in heading
    staff.force_login(member)  # the answer page marks it once too, from the question's type
    answer = staff.get(reverse("surveys:answer", args=[survey.pk])).content.decode()
    assert answer.count("活用した事業") == 1
    assert answer.count(gettext("(multiple answers allowed)")) == 1


def test_each_question_states_its_percentage_base(staff, example):
    by_code = {r.question.code: r for r in results(load(example)).questions}
    assert by_code["Q2"].base == ngettext(
        "Percentages of the %(shown)d institution shown this question (%(answered)d answered).",
        "Percentages of the %(shown)d institutions shown this question (%(answered)d answered).",
        3,
    ) % {"shown": 3, "answered": 3}
    assert by_code["Q5"].base == ngettext(
        "Averages over the %(answered)d institution that answered (shown to %(shown)d).",
        "Averages over the %(answered)d institutions that answered (shown to %(shown)d).",
        2,
    ) % {"shown": 3, "answered": 2}
    page = _page(staff, example)
    for result in by_code.values():
        assert result.base in page


def test_each_chart_downloads_as_an_svg_image(staff, example):
    q1 = _code(example, "Q1")
    response = _chart(staff, example, q1, by="class", sort="count")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Disposition"].startswith("attachment")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "正会員" in texts and any(t and "情報" in t for t in texts)
    page = _page(staff, example, by="class", sort="count")
    link = reverse("surveys:chart", args=[example.pk, q1.pk]) + "?by=class&amp;sort=count"
    assert link in page
    assert _chart(staff, example, _code(example, "Q6")).status_code == 404  # free text


def test_a_chart_has_the_readers_of_its_page(client, member, example):
    q1 = _code(example, "Q1")
    client.force_login(member)
    assert _chart(client, example, q1).status_code == 404  # not published yet
    example.results_published_at = example.opens_at
    example.save()
    assert _chart(client, example, q1).status_code == 200
    client.logout()
    assert _chart(client, example, q1).status_code == 302

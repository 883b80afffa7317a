"""The survey results page of a 30-question survey with 10,000 submitted responses,
through the full stack as the secretariat opens it; prints p95 wall time and queries."""

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from bench.common import check, page_figures, progress
from members.models import Organisation
from surveys.models import Response, Survey
from surveys.questionnaire import load
from surveys.results import results
from tests.factories import bulk_responses, make_survey

RESPONSES = 10_000
TITLE = "ベンチ会員アンケート"
REQUESTS = 30
OPTIONS = ["情報提供", "アワード", "交流会", "研修", "政策提言", "その他*"]
KINDS = (
    ["single"] * 6
    + ["multiple"] * 8
    + ["rating"] * 4
    + ["number"] * 4
    + ["breakdown"] * 4
    + ["short_text", "long_text"] * 2
)


def questions() -> list[dict]:
    specs = []
    for n, kind in enumerate(KINDS, 1):
        spec = {"code": f"Q{n}", "kind": kind, "section": f"第{(n - 1) // 5 + 1}部"}
        if kind in ("single", "multiple"):
            spec["options"] = OPTIONS
        elif kind == "rating":
            spec["options"] = [("大きかった", 4), ("あった", 3), ("まあまあ", 2), ("なかった", 1)]
        elif kind == "breakdown":
            spec["options"] = ["プロパー", "出向", "嘱託", "臨時"]
        specs.append(spec)
    return specs


def build_survey() -> Survey:
    """The survey with RESPONSES submitted responses (also used by bench/web.py)."""
    progress(f"survey: {len(KINDS)} questions × {RESPONSES} responses")
    with transaction.atomic():
        survey = make_survey(questions(), title=TITLE)
        organisations = list(Organisation.objects.order_by("pk")[:RESPONSES])
        bulk_responses(survey, organisations)
    submitted = Response.objects.submitted().filter(survey=survey).count()
    check(submitted == RESPONSES, f"{submitted} responses, expected {RESPONSES}.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return survey


def bench_survey_results() -> str:
    survey = build_survey()
    office = get_user_model().objects.get(email="office@bench.example")
    client = Client()
    client.force_login(office)
    url = reverse("surveys:results", args=[survey.pk])

    def get():
        response = client.get(url)
        check(response.status_code == 200, f"GET {url} answered {response.status_code}.")
        return response

    page = get().content.decode()
    shown = page.count('class="survey-result')
    check(shown == len(KINDS), f"the page shows {shown} questions, expected {len(KINDS)}.")
    q1 = results(load(survey)).questions[0]
    check(q1.shown == RESPONSES, f"Q1 counted over {q1.shown} responses.")
    progress(f"survey results: {REQUESTS} requests")
    p95, queries = page_figures(get, REQUESTS)
    return (
        f"surveys.results responses={RESPONSES} questions={len(KINDS)} "
        f"p95_ms={p95:.1f} queries={queries}"
    )

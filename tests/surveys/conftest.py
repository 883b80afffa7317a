import pytest

from members.models import MembershipClass
from tests import factories

ALL_KINDS = [
    {"code": "Q1", "kind": "single", "options": ["大きかった", "あった", "その他*"]},
    {
        "code": "Q2",
        "kind": "multiple",
        "options": ["情報提供", "アワード", "交流", "その他*"],
        "max_choices": 3,
    },
    {"code": "Q3", "kind": "short_text", "required": False},
    {"code": "Q4", "kind": "long_text", "required": False},
    {
        "code": "Q5",
        "kind": "rating",
        "options": [("良い", 3), ("普通", 2), ("悪い", 1), "その他*"],
    },
    {"code": "Q6", "kind": "number", "minimum": 0, "maximum": 100, "unit": "%", "required": False},
    {
        "code": "Q7",
        "kind": "breakdown",
        "options": ["プロパー", "出向", "その他"],
        "required": False,
    },
]


@pytest.fixture
def survey(db):
    return factories.make_survey(ALL_KINDS)


# The hand-computed example: three full members and one academic member submit; a second
# academic member only drafts. Q2 is for full members only, Q3 only after Q2 = はい.
QUESTIONS = [
    {"code": "Q1", "kind": "multiple", "options": ["情報", "アワード", "交流", "その他*"]},
    {"code": "Q2", "kind": "single", "options": ["はい", "いいえ"], "classes": ["full"]},
    {
        "code": "Q3",
        "kind": "multiple",
        "options": ["若手", "中堅", "その他*"],
        "condition": ("Q2", ["はい"]),
    },
    {"code": "Q4", "kind": "number", "required": False, "unit": "人"},
    {
        "code": "Q5",
        "kind": "breakdown",
        "options": ["A", "B"],
        "classes": ["full"],
        "required": False,
    },
    {"code": "Q6", "kind": "long_text", "required": False},
]


@pytest.fixture
def example(db):
    academic = factories.make_class("academic", MembershipClass.DuesRule.FLAT, flat_amount=15000)
    academic.name, academic.order = "学術機関会員", 1
    academic.save()
    survey = factories.make_survey(QUESTIONS, classes=[factories.full_class(), academic])
    user = factories.make_user("office-results@example.jp", is_staff=True)
    orgs = {
        name: factories.make_organisation(
            name, membership_class=academic if name[0] == "A" else None
        )
        for name in ["F1財団", "F2財団", "F3財団", "A1大学", "A2大学"]
    }
    factories.answer_survey(
        survey,
        orgs["F1財団"],
        user,
        {
            "Q1": ["情報", "アワード"],
            "Q2": "はい",
            "Q3": ["若手"],
            "Q4": 10,
            "Q5": {"A": 60, "B": 40},
        },
    )
    factories.answer_survey(
        survey,
        orgs["F2財団"],
        user,
        {
            "Q1": ["情報", "その他"],
            "Q1_other": "メルマガ",
            "Q2": "いいえ",
            "Q3": ["中堅"],  # typed, but Q3 is not shown after いいえ: it must not count
            "Q4": 20,
            "Q5": {"A": 20, "B": 80},
            "Q6": "地域ブロックの会合を増やしてほしい",
        },
    )
    factories.answer_survey(
        survey,
        orgs["F3財団"],
        user,
        {"Q1": ["交流"], "Q2": "はい", "Q3": ["中堅", "その他"], "Q3_other": "ＤＸ人材"},
    )
    factories.answer_survey(survey, orgs["A1大学"], user, {"Q1": ["情報"], "Q4": 30})
    factories.answer_survey(survey, orgs["A2大学"], user, {"Q1": ["アワード"]}, submit=False)
    return survey


def filled(form) -> dict:
    """What the browser would post back for a bound-or-initial form, unchanged."""
    values = {form.add_prefix(name): form[name].value() for name in form.fields}
    return {k: v for k, v in values.items() if v is not None and v is not False}


def change_page_data(client, survey):
    """The survey's admin page and what posting it back unchanged sends: the survey, its
    sections and its questions (each with its options' text)."""
    from django.urls import reverse
    from django.utils import timezone

    page = client.get(reverse("admin:surveys_survey_change", args=[survey.pk]))
    assert page.status_code == 200
    data = filled(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= {
            formset.management_form.add_prefix(k): v
            for k, v in formset.management_form.initial.items()
        }
        for form in formset.forms:
            data |= filled(form)
    for name in ("opens_at", "closes_at"):
        when = timezone.localtime(getattr(survey, name))
        data[f"{name}_0"], data[f"{name}_1"] = when.strftime("%Y-%m-%d"), when.strftime("%H:%M:%S")
    return page, data


def question_row(page, code):
    """The form of question `code` among the rows of the survey's admin page."""
    return next(f for f in question_forms(page) if f.instance.code == code)


def question_forms(page_or_response):
    formsets = page_or_response.context["inline_admin_formsets"]
    return next(i.formset for i in formsets if i.formset.prefix == "questions").forms

"""Building a survey on one screen: the survey's admin page takes questions at once (a new
survey gets its first section), edits each question's options and class limits in its own
row, and offers pickers of this survey only, a condition's answers named with their
question (「Q3 質問文 — 選択肢」)."""

import pytest
from django.urls import reverse

from members.models import MembershipClass
from surveys.models import Question, Survey
from tests import factories
from tests.surveys.conftest import change_page_data, question_forms, question_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, secretariat_with_mfa):
    client.force_login(secretariat_with_mfa)
    return client


def _management(prefix, total):
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def test_a_new_survey_takes_questions_before_it_is_saved(staff):
    full = factories.full_class()
    data = {
        "title": "会員アンケート（新規）",
        "classes": [full.pk],
        "opens_at_0": "2026-12-01",
        "opens_at_1": "09:00:00",
        "closes_at_0": "2026-12-31",
        "closes_at_1": "17:00:00",
        "reminder_limit": 2,
        "reminder_interval_days": 7,
        **_management("sections", 0),
        **_management("questions", 2),
        "questions-0-order": 1,
        "questions-0-code": "Q1",
        "questions-0-text": "会員であることのメリット",
        "questions-0-kind": "rating",
        "questions-0-required": "on",
        "questions-0-options": "1 | 大きかった | 3\n2 | あった | 2\n| なかった | 1\n* その他",
        "questions-0-classes": [full.pk],
        "questions-1-order": 2,
        "questions-1-code": "Q2",
        "questions-1-text": "ご意見",
        "questions-1-kind": "long_text",
    }
    response = staff.post(reverse("admin:surveys_survey_add"), data)
    assert response.status_code == 302, [f.errors for f in question_forms(response)]
    survey = Survey.objects.get(title="会員アンケート（新規）")
    section = survey.sections.get()  # made for it, without a second page
    q1, q2 = survey.questions.order_by("order")
    assert q1.section == section and q2.section == section
    options = [(o.code, o.label, o.value, o.is_other) for o in q1.options.order_by("order")]
    assert options == [
        ("1", "大きかった", 3, False),
        ("2", "あった", 2, False),
        ("3", "なかった", 1, False),
        ("4", "その他", None, True),
    ]
    assert list(q1.classes.all()) == [full]


def test_the_add_page_offers_a_question_row(staff):
    page = staff.get(reverse("admin:surveys_survey_add"))
    (row,) = question_forms(page)
    assert not row.fields["section"].required  # goes into the survey's first section
    assert "options" in row.fields and "classes" in row.fields


def test_options_class_limits_and_conditions_change_on_the_survey_page(staff, survey):
    full = factories.full_class()
    page, data = change_page_data(staff, survey)
    q1, q3 = question_row(page, "Q1"), question_row(page, "Q3")
    assert q1["options"].value() == "1 | 大きかった\n2 | あった\n* 3 | その他"
    data[q1.add_prefix("options")] = (
        "1 | 大変大きかった\n2 | あった\n4 | どちらともいえない\n* 3 | その他"
    )
    data[q3.add_prefix("classes")] = [full.pk]
    total = int(data["questions-TOTAL_FORMS"])
    q1_model = survey.questions.get(code="Q1")
    data |= {
        f"questions-{total}-section": survey.sections.first().pk,
        f"questions-{total}-order": 99,
        f"questions-{total}-code": "N1",
        f"questions-{total}-text": "あったと答えた理由",
        f"questions-{total}-kind": "short_text",
        f"questions-{total}-condition_question": q1_model.pk,
        f"questions-{total}-condition_options": [q1_model.options.get(code="2").pk],
    }
    data["questions-TOTAL_FORMS"] = total + 1
    response = staff.post(reverse("admin:surveys_survey_change", args=[survey.pk]), data)
    assert response.status_code == 302, [f.errors for f in question_forms(response)]
    options = survey.questions.get(code="Q1").options.order_by("order")
    assert [(o.code, o.label, o.is_other) for o in options] == [
        ("1", "大変大きかった", False),
        ("2", "あった", False),
        ("4", "どちらともいえない", False),
        ("3", "その他", True),
    ]
    assert list(survey.questions.get(code="Q3").classes.all()) == [full]
    new = survey.questions.get(code="N1")
    assert new.condition_question == q1_model
    assert [o.label for o in new.condition_options.all()] == ["あった"]


def test_every_picker_offers_this_survey_only(staff, survey):
    other = factories.make_survey(
        [{"code": "Q1", "kind": "single", "options": ["あった"], "section": "別の部"}],
        classes=list(survey.classes.all()),
    )
    factories.make_class("observer", MembershipClass.DuesRule.NONE)  # not asked
    page = staff.get(reverse("admin:surveys_survey_change", args=[survey.pk]))
    row = question_forms(page)[0]
    sections = [value for value, _label in row.fields["section"].choices if value]
    assert sections == list(survey.sections.values_list("pk", flat=True))
    conditions = dict(row.fields["condition_question"].choices)
    assert set(conditions) - {""} == set(
        survey.questions.filter(kind__in=["single", "multiple", "rating"]).values_list(
            "pk", flat=True
        )
    )
    answers = dict(row.fields["condition_options"].choices)
    mine = survey.questions.get(code="Q1").options.get(label="あった")
    assert answers[mine.pk] == "Q1 Q1の質問 — あった"
    assert other.questions.get().options.get().pk not in answers
    assert [label for _pk, label in row.fields["classes"].choices] == ["正会員"]
    formsets = page.context["inline_admin_formsets"]
    added = next(i.formset for i in formsets if i.formset.prefix == "questions").empty_form
    assert added["section"].value() == survey.sections.last().pk  # a new row's section
    question_page = staff.get(reverse("admin:surveys_question_change", args=[mine.question_id]))
    form = question_page.context["adminform"].form
    assert dict(form.fields["condition_options"].choices)[mine.pk] == "Q1 Q1の質問 — あった"
    assert other.sections.get().pk not in dict(form.fields["section"].choices)


def test_new_questions_are_added_on_the_survey_page_only(staff, survey):
    # The question's own add page could not know the survey its pickers belong to.
    assert staff.get(reverse("admin:surveys_question_add")).status_code == 403


def test_an_answered_option_stays(staff, example):
    page, data = change_page_data(staff, example)
    q1 = question_row(page, "Q1")
    data[q1.add_prefix("options")] = "1 | 情報\n3 | 交流\n* 4 | その他"  # アワード was chosen
    response = staff.post(reverse("admin:surveys_survey_change", args=[example.pk]), data)
    assert response.status_code == 200
    errors = [f.errors for f in question_forms(response) if f.errors]
    assert [list(e) for e in errors] == [["options"]] and "アワード" in str(errors)
    assert example.questions.get(code="Q1").options.count() == 4


def test_a_section_with_questions_stays(staff, survey):
    _page, data = change_page_data(staff, survey)
    data["sections-0-DELETE"] = "on"
    response = staff.post(reverse("admin:surveys_survey_change", args=[survey.pk]), data)
    assert response.status_code == 200
    assert survey.sections.count() == 1 and Question.objects.filter(survey=survey).count() == 7


@pytest.mark.parametrize(
    "text, error",
    [
        ("1 | a\n1 | b", "1"),  # the same code twice
        ("1 | a | many", "1"),  # a score that is no number
        ("1 | a | 2 | 3", "1"),  # too many parts
        ("a\n|", "2"),  # a line without a label
    ],
)
def test_option_lines_that_cannot_be_read_are_named(text, error):
    from django.core.exceptions import ValidationError

    from surveys.builder import parse_options

    with pytest.raises(ValidationError) as raised:
        parse_options(text)
    assert error in str(raised.value)

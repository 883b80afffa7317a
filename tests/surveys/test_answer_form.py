"""Each question type's validation, through the form the answer page uses."""

from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import translation

from surveys.forms import AnswerForm
from surveys.questionnaire import load
from tests import factories

pytestmark = pytest.mark.django_db

COMPLETE = {"Q1": "あった", "Q2": ["情報提供"], "Q5": "良い"}


def _form(survey, answers):
    data = QueryDict(mutable=True)
    for name, values in factories.survey_values(survey, answers).items():
        data.setlist(name, values)
    questionnaire = load(survey)
    form = AnswerForm(questionnaire.for_class(factories.full_class().pk), data)
    form.is_valid()
    return form


def _errors(survey, answers) -> dict[str, list[str]]:
    """Errors by question code (plus "_other" or "_p<option>"), in English."""
    names = {q.pk: q.code for q in survey.questions.all()}
    out = {}
    with translation.override("en"):
        for field, errors in _form(survey, answers).errors.items():
            pk, _sep, rest = field[1:].partition("_")
            out[names[int(pk)] + (f"_{rest}" if rest else "")] = [str(e) for e in errors]
    return out


def _payloads(survey, answers) -> dict:
    return {p.question.code: p for p in _form(survey, answers).payloads}


def test_a_complete_answer_is_valid(survey):
    assert _errors(survey, COMPLETE) == {}


def test_required_questions_are_named(survey):
    errors = _errors(survey, {"Q2": ["情報提供"]})
    assert errors == {
        "Q1": ["This question needs an answer."],
        "Q5": ["This question needs an answer."],
    }


def test_single_choice_refuses_an_unknown_option(survey):
    data = factories.survey_values(survey, COMPLETE)
    q1 = survey.questions.get(code="Q1")
    data[q1.field_name] = ["999999"]
    form = AnswerForm(load(survey).for_class(factories.full_class().pk), _qd(data))
    assert not form.is_valid()
    assert q1.field_name in form.errors


def _qd(values):
    data = QueryDict(mutable=True)
    for name, value in values.items():
        data.setlist(name, value)
    return data


def test_other_needs_a_description_and_a_description_needs_other(survey):
    assert _errors(survey, {**COMPLETE, "Q1": "その他"}) == {
        "Q1_other": ["Please describe your “other” answer."]
    }
    assert _errors(survey, {**COMPLETE, "Q1_other": "説明"}) == {
        "Q1_other": ["Tick “other” as well, or clear this description."]
    }


def test_other_description_is_normalised(survey):
    payload = _payloads(survey, {**COMPLETE, "Q2": ["その他"], "Q2_other": " ＡＢＣ１２３ ｾﾐﾅｰ "})[
        "Q2"
    ]
    [(option, _value, text)] = payload.choices
    assert option.is_other and text == "ABC123 セミナー"


def test_multiple_choice_maximum(survey):
    errors = _errors(
        survey, {**COMPLETE, "Q2": ["情報提供", "アワード", "交流", "その他"], "Q2_other": "x"}
    )
    assert errors == {"Q2": ["Choose at most 3 options."]}
    assert (
        len(_payloads(survey, {**COMPLETE, "Q2": ["情報提供", "アワード", "交流"]})["Q2"].choices)
        == 3
    )


def test_number_range(survey):
    assert "Q6" in _errors(survey, {**COMPLETE, "Q6": "101"})
    assert "Q6" in _errors(survey, {**COMPLETE, "Q6": "-1"})
    assert "Q6" in _errors(survey, {**COMPLETE, "Q6": "abc"})
    assert _payloads(survey, {**COMPLETE, "Q6": "42.5"})["Q6"].number == Decimal("42.5")


def _part(survey, label) -> str:
    """The error key of a breakdown part, as _errors names it."""
    return f"Q7_p{survey.questions.get(code='Q7').options.get(label=label).pk}"


def test_breakdown_must_sum_to_100(survey):
    errors = _errors(survey, {**COMPLETE, "Q7": {"プロパー": 50, "出向": 30}})
    assert errors == {
        _part(survey, "プロパー"): ["The parts add up to 80%; they must add up to 100%."]
    }
    payload = _payloads(survey, {**COMPLETE, "Q7": {"プロパー": 50, "出向": 30, "その他": 20}})[
        "Q7"
    ]
    assert [(o.label, v) for o, v, _t in payload.choices] == [
        ("プロパー", 50),
        ("出向", 30),
        ("その他", 20),
    ]


def test_breakdown_parts_left_empty_count_as_zero(survey):
    payload = _payloads(survey, {**COMPLETE, "Q7": {"プロパー": 100}})["Q7"]
    assert [v for _o, v, _t in payload.choices] == [100, 0, 0]


def test_breakdown_part_out_of_range(survey):
    errors = _errors(survey, {**COMPLETE, "Q7": {"プロパー": 120, "出向": -20}})
    assert errors == {
        _part(survey, "プロパー"): ["Ensure this value is less than or equal to 100."],
        _part(survey, "出向"): ["Ensure this value is greater than or equal to 0."],
    }


def test_text_length_is_limited(survey):
    assert "Q3" in _errors(survey, {**COMPLETE, "Q3": "あ" * 201})
    assert _payloads(survey, {**COMPLETE, "Q4": "長い意見。" * 100})["Q4"].text.startswith(
        "長い意見"
    )


def test_rating_counts_its_point(survey):
    [(option, _v, _t)] = _payloads(survey, COMPLETE)["Q5"].choices
    assert option.label == "良い" and option.value == 3

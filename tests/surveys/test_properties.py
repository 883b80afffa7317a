"""Property tests: the survey answer page (drafts, autosave, submission) takes any input.

A draft keeps what was typed, field by field; a submission stores one answer per question
shown, with text folded as `normalise_text` promises, or is refused with nothing stored.
"""

import json

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from surveys.forms import normalise_text
from surveys.models import Answer, Choice, Response
from surveys.services import DRAFT_VALUE_MAX, DRAFT_VALUES_MAX
from tests import factories
from tests.strategies import (
    PROPERTY_SETTINGS,
    error_page,
    number_text,
    perturbed,
    rolled_back,
    state,
    text,
)

pytestmark = pytest.mark.django_db

ANSWERS = {"Q1": "あった", "Q2": ["情報提供"], "Q3": "短い回答", "Q5": "良い", "Q6": "10"}


def _fields(survey) -> list[str]:
    names = []
    for question in survey.questions.prefetch_related("options"):
        options = list(question.options.all())
        if question.kind == "breakdown":
            names += [question.part_field_name(option) for option in options]
            continue
        names.append(question.field_name)
        if any(option.is_other for option in options):
            names.append(question.other_field_name)
    return names


def _values(survey):
    option_ids = [str(pk) for pk in survey.questions.values_list("options__pk", flat=True) if pk]
    value = st.one_of(text(), number_text(), st.sampled_from(option_ids))
    return st.lists(value, max_size=3)


def _typed(values: list[str]) -> list[str]:
    """What a draft keeps of a posted field (PostgreSQL text holds no NUL)."""
    return [value.replace("\x00", "")[:DRAFT_VALUE_MAX] for value in values[:DRAFT_VALUES_MAX]]


@PROPERTY_SETTINGS
@given(data=st.data(), action=st.sampled_from(["save", "submit", "autosave"]))
def test_answers_are_kept_as_typed_and_submitted_whole_or_not_at_all(
    client, member, organisation, survey, data, action
):
    client.force_login(member)
    base = factories.survey_values(survey, ANSWERS)
    post = data.draw(perturbed(base, {name: _values(survey) for name in _fields(survey)}, 5))
    with rolled_back():
        before = state(Answer, Choice)
        url = reverse(
            "surveys:autosave" if action == "autosave" else "surveys:answer", args=[survey.pk]
        )
        response = client.post(url, {**post, "version": "0", action: "1"})
        assert response.status_code in (200, 302)
        saved = Response.objects.get(survey=survey, organisation=organisation)
        typed = {name: _typed(post.get(name, [])) for name in _fields(survey)}
        assert {name: change["value"] for name, change in saved.draft.items()} == {
            name: values for name, values in typed.items() if any(values)
        }
        if action == "autosave":
            assert json.loads(response.content)["version"] == saved.version
        if action != "submit" or response.status_code == 200:
            if action == "submit":
                assert error_page(response), response.content[:500]
            assert saved.submitted_at is None
            assert state(Answer, Choice) == before
            return
        assert saved.submitted_at is not None
        answers = {a.question.code: a for a in saved.answers.select_related("question")}
        assert set(answers) == {q.code for q in survey.questions.all()}  # all shown here
        for question in survey.questions.filter(kind__in=["short_text", "long_text"]):
            posted = (post.get(question.field_name) or [""])[-1]
            assert answers[question.code].text == normalise_text(posted.strip())

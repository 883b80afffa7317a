"""Building surveys in the admin: checks across fields, copying, publishing, inviting."""

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Option, OtherAnswer, Question, Survey
from tests import factories
from tests.surveys.conftest import change_page_data, question_forms, question_row

pytestmark = pytest.mark.django_db


def _add_question(client, survey, **changes):
    """Post the survey's page with one question more (N1, after the others): the response
    and the new row's errors."""
    _page, data = change_page_data(client, survey)
    total = int(data["questions-TOTAL_FORMS"])
    new = {
        "section": survey.sections.first().pk,
        "order": 50,
        "code": "N1",
        "text": "新しい質問",
        "kind": "multiple",
        "required": "on",
        "options": "1 | 選択肢",
        **changes,
    }
    data |= {f"questions-{total}-{k}": v for k, v in new.items() if v is not None}
    data["questions-TOTAL_FORMS"] = total + 1
    response = client.post(reverse("admin:surveys_survey_change", args=[survey.pk]), data)
    errors = question_forms(response)[total].errors if response.status_code == 200 else {}
    return response, errors


@pytest.fixture
def staff(client, secretariat_with_mfa):
    client.force_login(secretariat_with_mfa)
    return client


def test_a_conditional_question_is_added(staff, survey):
    q1 = survey.questions.get(code="Q1")
    response, errors = _add_question(
        staff,
        survey,
        condition_question=q1.pk,
        condition_options=[q1.options.get(label="あった").pk],
    )
    assert response.status_code == 302, errors
    question = Question.objects.get(code="N1")
    assert question.condition_question == q1 and question.options.count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"condition_question": "Q7"}, "condition_question"),  # not a choice question
        ({"condition_question": "Q1"}, "condition_options"),  # no answers given
        ({"max_choices": "2", "kind": "single"}, "max_choices"),
        ({"kind": "number", "minimum": "10", "maximum": "5"}, "maximum"),
    ],
)
def test_builder_refuses_inconsistent_questions(staff, survey, changes, field):
    codes = {q.code: q.pk for q in survey.questions.all()}
    changes = {k: codes.get(v, v) for k, v in changes.items()}
    response, errors = _add_question(staff, survey, **changes)
    assert response.status_code == 200
    assert field in errors


def test_a_condition_must_come_earlier_and_use_its_own_answers(staff, survey):
    later = factories.make_survey(
        [{"code": "A", "kind": "single", "options": ["x"]}], classes=list(survey.classes.all())
    )
    other_option = later.questions.get().options.get()
    _response, errors = _add_question(
        staff,
        survey,
        order=0,
        condition_question=survey.questions.get(code="Q5").pk,
        condition_options=[other_option.pk],  # another survey's: not even offered
    )
    assert "condition_question" in errors and "condition_options" in errors


def test_copy_to_next_year_keeps_structure_and_conditions(staff, survey):
    q1 = survey.questions.get(code="Q1")
    dependant = Question.objects.create(
        survey=survey, section=q1.section, order=99, code="D1", text="追加", kind="short_text",
        condition_question=q1,
    )  # fmt: skip
    dependant.condition_options.set([q1.options.get(label="あった")])
    staff.post(
        reverse("admin:surveys_survey_changelist"),
        {"action": "copy", "_selected_action": [survey.pk]},
    )
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert copy.copied_from == survey
    assert (copy.opens_at - survey.opens_at).days == 364
    assert [q.code for q in copy.questions.all()] == [q.code for q in survey.questions.all()]
    d1 = copy.questions.get(code="D1")
    assert d1.condition_question.survey == copy
    assert [o.question.survey for o in d1.condition_options.all()] == [copy]
    assert (
        Option.objects.filter(question__survey=copy).count()
        == Option.objects.filter(question__survey=survey).count()
    )
    assert not copy.responses.exists()


def test_publish_and_invite_actions(
    staff, survey, organisation, django_capture_on_commit_callbacks, smtp_server
):
    from members.models import PersonRole
    from members.services import assign_role

    assign_role(
        factories.make_person(organisation, email="p@isico.example.jp"), PersonRole.Kind.PRIMARY
    )
    url = reverse("admin:surveys_survey_changelist")
    staff.post(url, {"action": "publish", "_selected_action": [survey.pk]})
    survey.refresh_from_db()
    assert survey.results_published_at <= timezone.now()
    # The action leads to the requests' page, which counts them before sending.
    response = staff.post(url, {"action": "send_invitations", "_selected_action": [survey.pk]})
    assert response["Location"] == reverse("surveys:invite", args=[survey.pk])
    assert smtp_server.received == []
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(response["Location"], {"roles": ["primary"]})
    assert [to for to, _raw in smtp_server.received] == [["p@isico.example.jp"]]


def test_other_answers_are_recoded_to_an_option_of_their_question(staff, example):
    choice = OtherAnswer.objects.get(other_text="メルマガ")
    url = reverse("admin:surveys_otheranswer_change", args=[choice.pk])
    page = staff.get(url)
    offered = list(page.context["adminform"].form.fields["recoded_to"].queryset)
    assert [o.label for o in offered] == ["情報", "アワード", "交流"]
    target = offered[1]
    assert staff.post(url, {"recoded_to": target.pk}).status_code == 302
    choice.refresh_from_db()
    assert choice.recoded_to == target
    assert staff.get(reverse("admin:surveys_otheranswer_changelist")).status_code == 200


def test_a_bank_question_compares_years(staff, survey, organisation, member):
    from surveys.models import BankQuestion
    from surveys.services import copy_survey

    bank = BankQuestion.objects.create(code="merit", text="会員であることのメリット")
    survey.questions.filter(code="Q1").update(bank=bank)
    factories.answer_survey(
        survey, organisation, member, {"Q1": "あった", "Q2": ["交流"], "Q5": "良い"}
    )
    later = copy_survey(survey, title="翌年度アンケート")
    page = staff.get(reverse("surveys:bank", args=["merit"]))
    years = page.context["years"]
    assert [r.survey for r in years] == [survey, later]
    assert [[q.question.code for q in r.questions] for r in years] == [["Q1"], ["Q1"]]
    assert [row.total.count for row in years[0].questions[0].rows] == [0, 1, 0]
    assert [row.total.count for row in years[1].questions[0].rows] == [0, 0, 0]


def test_other_answers_cannot_be_filtered_by_response(staff, example):
    response = example.responses.get(organisation__name="F2財団")
    url = reverse("admin:surveys_otheranswer_changelist")
    assert staff.get(url, {"response": response.pk}).status_code == 400
    assert staff.get(url, {"answer__response__id__exact": response.pk}).status_code == 400
    assert staff.get(url, {"answer__response__survey__id__exact": example.pk}).status_code == 200


def test_a_choice_question_needs_an_option(staff, survey):
    response, errors = _add_question(staff, survey, options="")
    assert response.status_code == 200
    assert "options" in errors


def test_the_type_of_an_answered_question_is_locked_on_the_survey_page_too(staff, example):
    page, data = change_page_data(staff, example)
    data[question_row(page, "Q1").add_prefix("kind")] = "single"
    response = staff.post(reverse("admin:surveys_survey_change", args=[example.pk]), data)
    assert response.status_code == 200
    errors = [form.errors for form in question_forms(response)]
    assert [list(e) for e in errors if e] == [["kind"]]
    assert example.questions.get(code="Q1").kind == "multiple"


def test_invitations_wait_for_the_opening(staff, survey, django_capture_on_commit_callbacks):
    survey.opens_at = timezone.now() + timezone.timedelta(days=1)
    survey.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        staff.post(reverse("surveys:invite", args=[survey.pk]), {"roles": ["primary"]})
    assert callbacks == [] and not survey.responses.exists()


def test_the_question_filter_of_other_answers_lists_the_chosen_surveys_only(staff, example):
    from django.utils.translation import pgettext

    factories.make_survey(
        [{"code": "Q1", "kind": "single", "options": ["その他*"]}],
        classes=list(example.classes.all()),
    )
    url = reverse("admin:surveys_otheranswer_changelist")

    def questions(query):
        page = staff.get(url, query)
        assert page.status_code == 200
        specs = {str(spec.title): spec for spec in page.context["cl"].filter_specs}
        spec = specs.get(pgettext("survey", "question"))  # listed only when it offers any
        return [str(label) for _value, label in spec.lookup_choices] if spec else []

    assert questions({}) == []  # a survey first: the codes repeat across surveys
    chosen = {"answer__response__survey__id__exact": example.pk}
    assert questions(chosen) == ["Q1 Q1の質問", "Q3 Q3の質問"]
    q3 = example.questions.get(code="Q3")
    page = staff.get(url, {**chosen, "answer__question__id__exact": q3.pk})
    assert [c.other_text for c in page.context["cl"].result_list] == ["DX人材"]

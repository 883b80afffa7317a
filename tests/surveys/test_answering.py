"""The answer page: drafts that survive, two contacts at once, submission, reopen, lock."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from surveys.models import Response
from tests import factories
from tests.surveys.conftest import ALL_KINDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(organisation):
    """A second contact of the member's institution, with a login of their own."""
    from allauth.account.models import EmailAddress

    user = factories.make_user("colleague@example.jp")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    factories.make_person(organisation, user=user, email=user.email, family_name="佐藤")
    return user


def _post(client, survey, answers, *, version, action="save"):
    data = factories.survey_values(survey, answers)
    data["version"] = version
    data[action] = "1"
    return client.post(reverse("surveys:answer", args=[survey.pk]), data)


def _version(survey, organisation):
    return Response.objects.get(survey=survey, organisation=organisation).version


def test_draft_survives_logging_out(client, member, organisation, survey):
    client.force_login(member)
    client.get(reverse("surveys:answer", args=[survey.pk]))
    response = _post(client, survey, {"Q3": "途中まで書いた回答"}, version=0)
    assert response.status_code == 302
    client.logout()
    client.force_login(member)
    page = client.get(reverse("surveys:answer", args=[survey.pk]))
    assert "途中まで書いた回答" in page.content.decode()


def test_two_contacts_lose_nothing_and_the_later_is_told(
    client, member, colleague, organisation, survey
):
    client.force_login(member)
    client.get(reverse("surveys:answer", args=[survey.pk]))
    base = _version(survey, organisation)
    # Both opened the page at `base`. The member saves first.
    _post(client, survey, {"Q1": "あった", "Q3": "藤原の回答"}, version=base)
    client.force_login(colleague)
    page = _post(client, survey, {"Q1": "大きかった", "Q3": "", "Q4": "佐藤の意見"}, version=base)
    assert page.status_code == 200
    kept = page.context["kept"]
    assert [(k["label"], k["theirs"], k["yours"]) for k in kept] == [
        ("Q1の質問", "あった", "大きかった"),
        ("Q3の質問", "藤原の回答", gettext("(no answer)")),
    ]
    assert kept[0]["by"] == "山田 花子"
    assert "藤原の回答" in page.content.decode()
    draft = Response.objects.get(survey=survey, organisation=organisation).draft
    values = {
        survey.questions.get(pk=int(k[1:])).code: v["value"]
        for k, v in draft.items()
        if "_" not in k
    }
    # The earlier save's answers are kept; the later one's own new answer is added.
    q1 = survey.questions.get(code="Q1").options.get(label="あった")
    assert values["Q1"] == [str(q1.pk)]
    assert values["Q3"] == ["藤原の回答"]
    assert values["Q4"] == ["佐藤の意見"]


def test_a_contact_saving_again_overwrites_its_own_answers(client, member, organisation, survey):
    client.force_login(member)
    client.get(reverse("surveys:answer", args=[survey.pk]))
    _post(client, survey, {"Q3": "一回目"}, version=0)
    response = _post(client, survey, {"Q3": "二回目"}, version=0)
    assert response.status_code == 302
    draft = Response.objects.get(survey=survey, organisation=organisation).draft
    assert draft[survey.questions.get(code="Q3").field_name]["value"] == ["二回目"]


def test_autosave_answers_json_and_flags_other_contacts(client, member, colleague, survey):
    url = reverse("surveys:autosave", args=[survey.pk])
    q3 = survey.questions.get(code="Q3").field_name
    client.force_login(member)
    first = client.post(url, {"version": 0, q3: "自動保存"}).json()
    assert first["others"] is False and first["version"] == 1
    client.force_login(colleague)
    second = client.post(url, {"version": 0, q3: "別の値"}).json()
    assert second["others"] is True and second["notice"]


def test_submission_names_each_problem_next_to_its_field(client, member, survey):
    client.force_login(member)
    client.get(reverse("surveys:answer", args=[survey.pk]))
    page = _post(client, survey, {"Q1": "その他", "Q6": "150"}, version=0, action="submit")
    assert page.status_code == 200
    form = page.context["form"]
    q = {x.code: x for x in survey.questions.all()}
    assert set(form.errors) == {
        q["Q1"].other_field_name,
        q["Q2"].field_name,
        q["Q5"].field_name,
        q["Q6"].field_name,
    }
    assert 'class="invalid-feedback"' in page.content.decode()
    assert not Response.objects.get(survey=survey).submitted_at


def test_submit_reopen_and_submit_again(client, member, organisation, survey):
    client.force_login(member)
    client.get(reverse("surveys:answer", args=[survey.pk]))
    answers = {"Q1": "あった", "Q2": ["情報提供"], "Q5": "良い"}
    assert _post(client, survey, answers, version=0, action="submit").status_code == 302
    response = Response.objects.get(survey=survey)
    assert response.is_submitted and response.answers.count() == 7
    page = client.get(reverse("surveys:answer", args=[survey.pk]))
    assert "form" not in page.context and "情報提供" in page.content.decode()
    # Saving while submitted is refused until reopened.
    refused = _post(client, survey, {**answers, "Q1": "大きかった"}, version=response.version)
    assert refused.status_code == 302
    assert Response.objects.get(pk=response.pk).draft == response.draft
    client.post(reverse("surveys:reopen", args=[survey.pk]))
    response.refresh_from_db()
    assert response.reopened and response.submitted_at  # the submitted answers still count
    _post(
        client, survey, {**answers, "Q1": "大きかった"}, version=response.version, action="submit"
    )
    response.refresh_from_db()
    assert response.is_submitted
    chosen = response.answers.get(question__code="Q1").choices.get().option.label
    assert chosen == "大きかった"


def test_a_long_text_too_long_is_refused_with_its_length_and_kept_whole(
    client, member, organisation, survey
):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    client.get(reverse("surveys:answer", args=[survey.pk]))
    text = "長" * 4001
    answers = {"Q1": "あった", "Q2": ["情報提供"], "Q4": text, "Q5": "良い"}
    page = _post(client, survey, answers, version=0, action="submit")
    assert page.status_code == 200
    assert "at most 4000 characters (it has 4001)" in page.content.decode()
    response = Response.objects.get(survey=survey)
    assert not response.is_submitted and response.answers.count() == 0
    q4 = survey.questions.get(code="Q4").field_name
    assert response.draft[q4]["value"] == [text]  # nothing typed is cut off


def test_closed_survey_is_locked(client, member, organisation, survey):
    client.force_login(member)
    client.get(reverse("surveys:answer", args=[survey.pk]))
    answers = {"Q1": "あった", "Q2": ["情報提供"], "Q5": "良い"}
    _post(client, survey, answers, version=0, action="submit")
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    survey.save()
    version = _version(survey, organisation)
    _post(client, survey, {**answers, "Q1": "大きかった"}, version=version, action="submit")
    client.post(reverse("surveys:reopen", args=[survey.pk]))
    response = Response.objects.get(survey=survey)
    assert response.is_submitted and not response.reopened and response.version == version
    page = client.get(reverse("surveys:answer", args=[survey.pk]))
    assert "form" not in page.context and not page.context["can_reopen"]
    assert (
        client.post(
            reverse("surveys:autosave", args=[survey.pk]), {"version": version}
        ).status_code
        == 409
    )


def test_class_limited_questions_are_not_offered(client, member, organisation):
    academic = factories.make_class("academic", "flat", flat_amount=15000)
    questions = [dict(q, classes=["academic"]) if q["code"] == "Q2" else q for q in ALL_KINDS]
    survey = factories.make_survey(questions, classes=[factories.full_class(), academic])
    client.force_login(member)
    page = client.get(reverse("surveys:answer", args=[survey.pk]))
    assert "Q1の質問" in page.content.decode() and "Q2の質問" not in page.content.decode()


def test_institutions_not_asked_get_404(client, member, organisation):
    academic = factories.make_class("academic", "flat", flat_amount=15000)
    survey = factories.make_survey(ALL_KINDS, classes=[academic])
    client.force_login(member)
    assert client.get(reverse("surveys:answer", args=[survey.pk])).status_code == 404
    assert not Response.objects.exists()

"""Each role against each survey view. A member sees only its own institution's response;
only the secretariat sees results before they are published, response rates and exports."""

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import BankQuestion
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "login"


@pytest.fixture
def world(survey):
    bank = BankQuestion.objects.create(code="merit", text="会員であることのメリット")
    survey.questions.filter(code="Q1").update(bank=bank)
    return survey, survey.questions.get(code="Q3"), bank


def urls(survey, question, bank):
    return [
        ("get", reverse("surveys:index")),
        ("get", reverse("surveys:answer", args=[survey.pk])),
        ("post", reverse("surveys:autosave", args=[survey.pk])),
        ("post", reverse("surveys:reopen", args=[survey.pk])),
        ("get", reverse("surveys:results", args=[survey.pk])),
        ("get", reverse("surveys:texts", args=[survey.pk, question.pk])),
        ("get", reverse("surveys:rate", args=[survey.pk])),
        ("get", reverse("surveys:export", args=[survey.pk, "xlsx"])),
        ("get", reverse("surveys:export", args=[survey.pk, "csv"])),
        ("get", reverse("surveys:bank", args=[bank.code])),
        ("get", reverse("surveys:chart", args=[survey.pk, survey.questions.get(code="Q1").pk])),
        ("get", reverse("surveys:invite", args=[survey.pk])),
    ]


MATRIX = {
    #            index answer save reopen results texts rate xlsx csv  bank chart invite
    "anonymous": [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN,
                  LOGIN],
    "applicant": [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    "member":    [200, 200, 200, 302, 404, 404, 403, 403, 403, 403, 404, 403],
    "outsider":  [200, 200, 200, 302, 404, 404, 403, 403, 403, 403, 404, 403],
    "secretariat_with_mfa": [200, 403, 403, 403, 200, 200, 200, 200, 200, 200, 200, 200],
}  # fmt: skip

# Once published, members read the results and their charts (and still nothing else of the
# secretariat's).
PUBLISHED = {
    "anonymous": [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN,
                  LOGIN],
    "applicant": [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    "member":    [200, 200, 200, 302, 200, 200, 403, 403, 403, 403, 200, 403],
}  # fmt: skip


def _check(client, request, world, role, expected_row):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for (method, url), expected in zip(urls(*world), expected_row, strict=True):
        response = getattr(client, method)(url, {"version": 0} if method == "post" else None)
        if expected == LOGIN:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("account_login")), url
        else:
            assert response.status_code == expected, (role, url)


@pytest.mark.parametrize("role", MATRIX)
def test_each_role_against_each_survey_view(client, request, world, role):
    _check(client, request, world, role, MATRIX[role])


@pytest.mark.parametrize("role", PUBLISHED)
def test_published_results_are_readable_by_members(client, request, world, role):
    survey = world[0]
    survey.results_published_at = timezone.now()
    survey.save()
    _check(client, request, world, role, PUBLISHED[role])


def test_an_outsider_never_sees_the_institutions_response(
    client, member, outsider, organisation, survey
):
    factories.answer_survey(survey, organisation, member, {"Q3": "石川の内部事情"}, submit=False)
    client.force_login(outsider)
    page = client.get(reverse("surveys:answer", args=[survey.pk]))
    assert page.status_code == 200
    assert "石川の内部事情" not in page.content.decode()
    assert page.context["response"].organisation.name != organisation.name
    client.force_login(member)
    assert (
        "石川の内部事情"
        in client.get(reverse("surveys:answer", args=[survey.pk])).content.decode()
    )


def test_members_never_see_institution_names_even_when_published(
    client, member, outsider, organisation, survey
):
    factories.answer_survey(
        survey,
        organisation,
        member,
        {"Q1": "その他", "Q1_other": "独自回答", "Q2": ["交流"], "Q5": "良い"},
    )
    survey.results_published_at = timezone.now()
    survey.save()
    client.force_login(outsider)
    page = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert "独自回答" in page and organisation.name not in page


def test_staff_without_two_factor_are_sent_to_set_it_up(client, secretariat, world):
    survey = world[0]
    client.force_login(secretariat)
    for name in ["surveys:results", "surveys:rate"]:
        response = client.get(reverse(name, args=[survey.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    response = client.get(reverse("surveys:export", args=[survey.pk, "csv"]))
    assert response["Location"] == reverse("mfa_activate_totp")

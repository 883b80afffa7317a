"""Each role against each award view on an object. The applicant sees only its entries; a
judge only entries assigned to it, without conflict, in an open round; only the
secretariat decides (its admin screens are in tests/portal/test_authorization.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards import judging, services
from awards.models import Attachment, Decision, Entry
from tests import factories
from tests.sample_files import PDF

pytestmark = pytest.mark.django_db

LOGIN = "login"


@pytest.fixture
def world(judging_edition, first_round, applicant, judge, secretariat, member, organisation):
    """An entry of `applicant` in an open round, assigned to `judge` and to `member` (a judge
    from the entry's own organisation, so conflicted), with an attachment."""
    entry = factories.make_entry(judging_edition, applicant, organisation=organisation)
    attachment = Attachment.objects.create(
        entry=entry,
        file=SimpleUploadedFile("a.pdf", PDF),
        name="a.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=applicant,
    )
    judges = [
        factories.make_judge(judging_edition, judge),
        judging.appoint(judging_edition, member),
    ]
    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.SUBMITTED)
    from awards.models import Assignment

    for judgeship in judges:  # the conflicted one too, as if assigned before it was known
        Assignment.objects.create(round=first_round, judge=judgeship, entry=entry)
    return entry, attachment, first_round


def urls(entry, attachment, stage):
    return [
        ("get", reverse("awards:entry", args=[entry.pk])),
        ("post", reverse("awards:entry_question", args=[entry.pk])),
        ("post", reverse("awards:entry_withdraw", args=[entry.pk])),
        ("get", reverse("awards:attachment", args=[attachment.pk])),
        ("post", reverse("awards:attachment_remove", args=[attachment.pk])),
        ("get", reverse("awards:review", args=[stage.pk, entry.pk])),
        ("post", reverse("awards:declare_conflict", args=[stage.pk, entry.pk])),
        ("get", reverse("awards:results", args=[stage.pk])),
    ]


MATRIX = {
    #            entry  ask   withdraw file  remove review conflict results
    "anonymous": [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN],
    "applicant": [200, 302, 302, 200, 302, 403, 403, 403],
    "outsider":  [404, 404, 404, 404, 404, 403, 403, 403],
    "judge":     [404, 404, 404, 200, 404, 200, 302, 404],
    "member":    [404, 404, 404, 404, 404, 404, 404, 404],  # a conflicted judge
    "secretariat_with_mfa": [404, 404, 404, 200, 404, 403, 403, 200],
}  # fmt: skip


@pytest.mark.parametrize("role", MATRIX)
def test_each_role_against_each_award_view(client, request, world, role):
    entry, _attachment, _stage = world
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for (method, url), expected in zip(urls(*world), MATRIX[role], strict=True):
        response = getattr(client, method)(url)
        if expected == LOGIN:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("account_login")), url
        else:
            assert response.status_code == expected, (role, url)
    if role not in ("applicant", "judge"):
        entry.refresh_from_db()
        assert entry.status == Entry.Status.SUBMITTED and Attachment.objects.exists()


def test_the_conflicted_judge_does_not_see_the_entry_anywhere(client, member, world):
    entry, _attachment, _stage = world
    client.force_login(member)
    for url in (reverse("awards:judging"), reverse("awards:index")):
        assert entry.title not in client.get(url).content.decode()


def test_public_pages_are_open_to_everyone(client, edition):
    for name in ("awards:index", "awards:winners"):
        assert client.get(reverse(name)).status_code == 200


def test_only_the_secretariat_records_decisions(
    client, judge, applicant, world, secretariat_with_mfa
):
    entry, *_ = world
    prize = entry.edition.prizes.first()
    data = {"prize": prize.pk, "entry": entry.pk, "reason": "独自性"}
    for user in (judge, applicant):
        client.force_login(user)
        client.post(reverse("admin:awards_decision_add"), data)
    assert not Decision.objects.exists()
    client.force_login(secretariat_with_mfa)
    assert client.post(reverse("admin:awards_decision_add"), data).status_code == 302
    assert Decision.objects.get().decided_by == secretariat_with_mfa


def test_a_nominator_cannot_open_the_entry_it_nominated(client, edition, member, applicant):
    nomination = services.nominate(
        edition.tracks.first(),
        member,
        {"title": "他薦", "organisation_name": "相手先", "prefecture": 1},
        {"nominee_name": "a", "nominee_email": applicant.email, "reason": "r",
         "nominator_organisation": "z"},
    )  # fmt: skip
    client.force_login(member)
    assert client.get(reverse("awards:entry", args=[nomination.entry_id])).status_code == 404

"""Only the secretariat composes, approves and sends; the archive hides members-only issues."""

import pytest
from django.urls import reverse

from newsletter import engine
from newsletter.models import Issue, Mailing
from tests import factories

pytestmark = pytest.mark.django_db

OUTSIDERS = ["anonymous", "applicant", "member", "primary_contact", "judge"]


@pytest.fixture
def issue(secretariat):
    return factories.make_issue(secretariat)


@pytest.fixture
def mailing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return engine.start_mailing(
            "第1号", "tests.newsletter.renderers.greeting", [{"address": "a@example.jp"}]
        )


def object_urls(issue, mailing):
    return [
        ("get", reverse("admin:newsletter_issue_change", args=[issue.pk])),
        *(
            ("post", reverse("admin:newsletter_issue_workflow", args=[issue.pk, step]))
            for step in ("test", "approve", "send", "draft")
        ),
        ("get", reverse("admin:newsletter_mailing_change", args=[mailing.pk])),
        ("get", reverse("admin:newsletter_mailing_progress", args=[mailing.pk])),
        ("post", reverse("admin:newsletter_mailing_pause", args=[mailing.pk])),
        ("post", reverse("admin:newsletter_mailing_resume", args=[mailing.pk])),
    ]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nobody_but_the_secretariat_composes_approves_or_sends(
    client, request, role, issue, mailing
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for method, url in object_urls(issue, mailing):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    issue.refresh_from_db()
    mailing.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT and issue.test_sent_at is None
    assert mailing.status == Mailing.Status.SENDING


def test_staff_without_mfa_cannot_act_either(client, secretariat, issue, mailing):
    client.force_login(secretariat)
    for method, url in object_urls(issue, mailing):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
    assert Mailing.objects.get().status == Mailing.Status.SENDING


def test_the_secretariat_reaches_every_newsletter_screen(
    client, secretariat_with_mfa, issue, mailing
):
    client.force_login(secretariat_with_mfa)
    response = client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    assert response.status_code == 200
    assert response.context["adminform"].form.initial["subject"] == issue.subject
    assert (
        client.get(reverse("admin:newsletter_mailing_change", args=[mailing.pk])).status_code
        == 200
    )
    progress = client.get(reverse("admin:newsletter_mailing_progress", args=[mailing.pk])).json()
    assert progress["total"] == 1 and progress["queued"] == 1


def test_workflow_urls_refuse_get(client, secretariat_with_mfa, issue):
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:newsletter_issue_workflow", args=[issue.pk, "test"])
    assert client.get(url).status_code == 405

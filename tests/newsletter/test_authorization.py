"""Only the secretariat composes, approves and sends; the archive hides members-only issues."""

import pytest
from django.urls import reverse

from newsletter.models import Issue
from tests import factories

pytestmark = pytest.mark.django_db

OUTSIDERS = ["anonymous", "applicant", "member", "primary_contact", "judge"]


@pytest.fixture
def issue(secretariat):
    return factories.make_issue(secretariat)


def object_urls(issue):
    return [
        ("get", reverse("admin:newsletter_issue_change", args=[issue.pk])),
        *(
            ("post", reverse("admin:newsletter_issue_workflow", args=[issue.pk, step]))
            for step in ("test", "approve", "send", "draft")
        ),
    ]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nobody_but_the_secretariat_composes_approves_or_sends(client, request, role, issue):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for method, url in object_urls(issue):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT and issue.test_sent_at is None


def test_staff_without_mfa_cannot_act_either(client, secretariat, issue):
    client.force_login(secretariat)
    for method, url in object_urls(issue):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_the_secretariat_reaches_every_newsletter_screen(client, secretariat_with_mfa, issue):
    client.force_login(secretariat_with_mfa)
    response = client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    assert response.status_code == 200
    assert response.context["adminform"].form.initial["subject"] == issue.subject


def test_workflow_urls_refuse_get(client, secretariat_with_mfa, issue):
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:newsletter_issue_workflow", args=[issue.pk, "test"])
    assert client.get(url).status_code == 405

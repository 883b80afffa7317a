"""Draft → test send → approval by a second user → send, each step once."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from newsletter import services
from newsletter.models import Issue
from outbox.models import Mailing
from tests import factories


@pytest.fixture
def colleague(db):
    return factories.make_user("colleague@example.jp", is_staff=True, is_superuser=True)


def with_test_sent(issue):
    services.mark_test_sent(issue.pk)
    issue.refresh_from_db()
    return issue


@pytest.mark.django_db
def test_the_test_goes_to_the_author_only(secretariat, django_capture_on_commit_callbacks):
    factories.make_subscriber("reader@example.com")
    issue = factories.make_issue(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        services.request_test_send(issue, secretariat)

    assert [m.to for m in mail.outbox] == [["office@example.jp"]]
    issue.refresh_from_db()
    assert issue.test_sent_at is not None and issue.status == Issue.Status.DRAFT


@pytest.mark.django_db
def test_the_author_cannot_approve_and_a_test_comes_first(secretariat, colleague):
    issue = factories.make_issue(secretariat)

    with pytest.raises(services.WorkflowError, match="テスト送信"):
        services.approve(issue, colleague)
    with_test_sent(issue)
    with pytest.raises(services.WorkflowError, match="別の事務局ユーザー"):
        services.approve(issue, secretariat)

    services.approve(issue, colleague)
    assert issue.status == Issue.Status.APPROVED and issue.approved_by == colleague
    with pytest.raises(services.WorkflowError):
        services.approve(issue, colleague)  # pressed again


@pytest.mark.django_db
def test_only_an_approved_issue_is_sent(secretariat):
    issue = with_test_sent(factories.make_issue(secretariat))
    with pytest.raises(services.WorkflowError):
        services.schedule(issue)
    assert Mailing.objects.count() == 0


@pytest.mark.django_db
def test_pressing_send_twice_sends_once(
    secretariat, colleague, smtp_server, django_capture_on_commit_callbacks
):
    factories.make_subscriber("reader@example.com", name="読者 一郎")
    issue = with_test_sent(factories.make_issue(secretariat))
    services.approve(issue, colleague)

    with django_capture_on_commit_callbacks(execute=True):
        services.schedule(issue)
        with pytest.raises(services.WorkflowError):
            services.schedule(issue)
    assert services.start_sending(issue.pk) is False  # a duplicated task

    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT and issue.sent_at is not None
    assert Mailing.objects.count() == 1
    assert [to for to, _raw in smtp_server.received] == [["reader@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_two_people_approving_and_sending_at_once_send_once(secretariat, colleague, smtp_server):
    third = factories.make_user("third@example.jp", is_staff=True)
    factories.make_subscriber("reader@example.com")
    issue = with_test_sent(factories.make_issue(secretariat))
    outcomes = []

    def act(step, user):
        try:
            step(Issue.objects.get(pk=issue.pk), user)
            outcomes.append("ok")
        except services.WorkflowError:
            outcomes.append("refused")
        finally:
            connection.close()

    def run(step, users):
        threads = [threading.Thread(target=act, args=(step, u)) for u in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    run(services.approve, [colleague, third])
    assert sorted(outcomes) == ["ok", "refused"]
    outcomes.clear()
    run(lambda issue, _user: services.schedule(issue), [colleague, third])
    assert sorted(outcomes) == ["ok", "refused"]

    assert Mailing.objects.count() == 1
    assert len(smtp_server.received) == 1


@pytest.mark.django_db
def test_a_scheduled_issue_starts_when_its_time_comes(
    secretariat, colleague, django_capture_on_commit_callbacks
):
    factories.make_subscriber("reader@example.com")
    later = timezone.now() + timedelta(hours=2)
    issue = with_test_sent(factories.make_issue(secretariat, send_at=later))
    services.approve(issue, colleague)
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule(issue, send_at=later)

    assert services.start_due_issues() == 0
    Issue.objects.filter(pk=issue.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=False):
        assert services.start_due_issues() == 1
        assert services.start_due_issues() == 0
    issue.refresh_from_db()
    assert issue.mailing.deliveries.count() == 1


@pytest.mark.django_db
def test_the_issue_and_its_mailing_page_link_each_other(
    client, secretariat_with_mfa, colleague, django_capture_on_commit_callbacks
):
    factories.make_subscriber("reader@example.com")
    issue = with_test_sent(factories.make_issue(secretariat_with_mfa))
    services.approve(issue, colleague)
    with django_capture_on_commit_callbacks(execute=False):  # no worker sends
        services.schedule(issue)
        services.start_sending(issue.pk)
    issue.refresh_from_db()
    issue_url = reverse("admin:newsletter_issue_change", args=[issue.pk])
    mailing_url = reverse("admin:outbox_mailing_change", args=[issue.mailing_id])
    client.force_login(secretariat_with_mfa)

    assert mailing_url in client.get(issue_url).content.decode()
    assert issue_url in client.get(mailing_url).content.decode()


@pytest.mark.django_db
def test_back_to_draft_needs_a_new_approval(secretariat, colleague):
    issue = with_test_sent(factories.make_issue(secretariat))
    services.approve(issue, colleague)

    services.back_to_draft(issue)

    assert issue.status == Issue.Status.DRAFT and issue.approved_by is None
    with pytest.raises(services.WorkflowError):
        services.back_to_draft(issue)

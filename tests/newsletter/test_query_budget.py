"""Newsletter pages keep a fixed number of queries however many issues and deliveries exist."""

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import PersonRole
from members.services import assign_role
from newsletter.models import Issue, Subscriber, Topic
from tests import factories

pytestmark = pytest.mark.django_db


def grow(author, n):
    """`n` sent issues with two topics each and `n` subscribers."""
    factories.make_subscriber("first@example.com")
    masthead_issue = factories.make_issue(author)
    issues = Issue.objects.bulk_create(
        Issue(
            subject=f"第{i}号",
            body="本文",
            masthead=masthead_issue.masthead,
            created_by=author,
            status=Issue.Status.SENT,
            sent_at=timezone.now(),
            visibility=Issue.Visibility.MEMBERS if i % 2 else Issue.Visibility.PUBLIC,
        )
        for i in range(n)
    )
    topics = list(Topic.objects.all()[:2])
    Issue.topics.through.objects.bulk_create(
        Issue.topics.through(issue=issue, topic=topic) for issue in issues for topic in topics
    )
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{i}@example.com", confirmed_at=timezone.now()) for i in range(n)
    )
    return masthead_issue


@pytest.mark.parametrize("extra", [0, 300])
def test_public_and_member_pages_within_budget(
    client, member, secretariat, extra, django_assert_max_num_queries
):
    grow(secretariat, extra)
    assign_role(member.person, PersonRole.Kind.NEWSLETTER)
    published = Issue.objects.published().filter(
        visibility="public"
    ).first() or factories.make_issue(
        secretariat, status=Issue.Status.SENT, sent_at=timezone.now()
    )
    index, search = reverse("newsletter:index"), reverse("newsletter:index") + "?q=号&topic=policy"
    issue_page = reverse("newsletter:issue", args=[published.pk])
    feed, subscribe = reverse("newsletter:feed"), reverse("newsletter:subscribe")
    for url, budget in {index: 6, search: 6, issue_page: 2, feed: 1, subscribe: 1}.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url
    client.force_login(member)
    preferences = reverse("newsletter:preferences")
    # The first visit to the topics page makes the subscription (all topics, one event).
    member_budgets = {index: 9, search: 10, issue_page: 6, subscribe: 5, preferences: 17}
    for url, budget in member_budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("extra", [0, 300])
def test_admin_pages_within_budget(
    client, secretariat_with_mfa, extra, django_assert_max_num_queries
):
    issue = grow(secretariat_with_mfa, extra)
    client.force_login(secretariat_with_mfa)
    budgets = {
        reverse("admin:newsletter_issue_changelist"): 12,
        reverse("admin:newsletter_issue_change", args=[issue.pk]): 23,
        reverse("admin:newsletter_subscriber_changelist"): 10,
        reverse("admin:newsletter_addressproblem_changelist"): 9,
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url

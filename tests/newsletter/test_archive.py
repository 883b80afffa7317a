"""The archive: sent issues only, members-only ones hidden from others, Japanese search."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from newsletter.models import Issue, Topic
from tests import factories

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def issues(secretariat):
    def sent(subject, year, visibility=Issue.Visibility.PUBLIC, topic="policy"):
        return factories.make_issue(
            secretariat,
            Topic.objects.filter(slug=topic),
            subject=subject,
            body=f"{subject}の本文です。",
            status=Issue.Status.SENT,
            sent_at=datetime(year, 6, 1, 9, tzinfo=TOKYO),
            visibility=visibility,
        )

    factories.make_subscriber("x@example.com")  # the default topics exist from here on
    return {
        "public": sent("イノベーションネット通信 2026年6月号", 2026),
        "members": sent("会員限定：総会のご案内", 2026, Issue.Visibility.MEMBERS, "events"),
        "old": sent("アワード受賞者の決定", 2025, topic="award"),
        "draft": factories.make_issue(secretariat, subject="下書き"),
    }


def listed(client, **params):
    response = client.get(reverse("newsletter:index"), params)
    assert response.status_code == 200
    return [issue.subject for issue in response.context["page"]]


def test_the_public_sees_public_sent_issues_only(client, issues):
    assert listed(client) == ["イノベーションネット通信 2026年6月号", "アワード受賞者の決定"]
    assert client.get(reverse("newsletter:issue", args=[issues["public"].pk])).status_code == 200
    members_only = reverse("newsletter:issue", args=[issues["members"].pk])
    response = client.get(members_only)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("account_login")
    )
    assert client.get(reverse("newsletter:issue", args=[issues["draft"].pk])).status_code == 404


def test_members_only_issues_are_for_members(client, issues, member, applicant):
    members_only = reverse("newsletter:issue", args=[issues["members"].pk])
    client.force_login(applicant)
    assert client.get(members_only).status_code == 404
    assert "会員限定：総会のご案内" not in listed(client)

    client.force_login(member)
    assert client.get(members_only).status_code == 200
    assert "会員限定：総会のご案内" in listed(client)


@pytest.mark.parametrize("query", ["いのべーしょん", "ｲﾉﾍﾞｰｼｮﾝ", "イノベーション　6月号", "本文"])
def test_search_in_any_kana_or_width(client, issues, query):
    found = listed(client, q=query)
    assert "イノベーションネット通信 2026年6月号" in found
    assert "下書き" not in found


def test_filters_by_topic_and_year(client, issues):
    assert listed(client, topic="award") == ["アワード受賞者の決定"]
    assert listed(client, year=2025) == ["アワード受賞者の決定"]
    assert listed(client, year=2026) == ["イノベーションネット通信 2026年6月号"]


def test_the_feed_carries_public_issues(client, issues):
    response = client.get(reverse("newsletter:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "イノベーションネット通信 2026年6月号" in body and "アワード受賞者の決定" in body
    assert "会員限定" not in body and "下書き" not in body


def test_the_issue_page_shows_the_sanitised_body(client, secretariat):
    factories.make_subscriber("x@example.com")
    issue = factories.make_issue(
        secretariat,
        body="## 見出し\n\n<script>alert(1)</script><img src=x onerror=alert(2)>",
        status=Issue.Status.SENT,
        sent_at=datetime(2026, 6, 1, tzinfo=TOKYO),
    )
    content = client.get(reverse("newsletter:issue", args=[issue.pk])).content.decode()
    assert "<h2>見出し</h2>" in content
    assert "alert(" not in content and "onerror" not in content

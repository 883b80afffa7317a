"""An issue as received by a real SMTP server (aiosmtpd on loopback), parsed back."""

import re

import pytest

from newsletter import services
from newsletter.models import Subscriber
from outbox import engine
from outbox.models import Delivery
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(secretariat, smtp_server, django_capture_on_commit_callbacks, settings):
    settings.MAILING_RETRY_SECONDS = 0  # a retry is due at once, so the test sees it
    factories.make_subscriber("yamada@example.com", name="山田 髙子")
    factories.make_subscriber("gone@example.com")
    factories.make_subscriber("busy@example.com")
    smtp_server.plan("gone@example.com", "550 5.1.1 No such user")
    smtp_server.plan("busy@example.com", "451 4.3.0 Try again later")
    issue = factories.make_issue(
        secretariat,
        subject="【イノベーションネット通信】令和8年度 第1号 ①",
        body="# 地域の支援事例\n\n**㈱テスト**の取組を紹介します。[詳細](https://example.jp/case)",
    )
    services.mark_test_sent(issue.pk)
    issue.refresh_from_db()
    services.approve(issue, factories.make_user("second@example.jp", is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule(issue)
    issue.refresh_from_db()
    engine.dispatch(issue.mailing_id)  # the retry of the 451, now due
    return issue


def received_by(smtp_server, address):
    return [m for m in smtp_server.messages() if address in m["To"]]


def test_headers_and_both_parts_as_received(sent, smtp_server):
    (message,) = received_by(smtp_server, "yamada@example.com")

    assert message["Subject"] == "【イノベーションネット通信】令和8年度 第1号 ①"
    assert message["To"].addresses[0].display_name == "山田 髙子"
    raw = next(raw for to, raw in smtp_server.received if to == ["yamada@example.com"])
    assert all(line.isascii() for line in raw.split(b"\r\n")[:30] if b":" in line[:30])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    urls = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert urls[0].startswith("http") and "/newsletter/unsubscribe/" in urls[0]
    assert urls[1].startswith("mailto:unsubscribe@")
    delivery = Delivery.objects.get(address="yamada@example.com")
    assert message["Message-ID"] == delivery.message_id

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "山田 髙子 様" in text and "㈱テストの取組を紹介します。" in text
    assert "<strong>㈱テスト</strong>" in html and "山田 髙子 様" in html
    assert urls[0] in text and urls[0] in html
    assert message.get_body(("plain",)).get_content_charset() == "utf-8"


def test_the_received_unsubscribe_link_works_with_one_click(sent, smtp_server, client):
    (message,) = received_by(smtp_server, "yamada@example.com")
    url = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])[0]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]

    client.get(path)
    assert Subscriber.objects.get(email="yamada@example.com").unsubscribed_at is None
    client.post(path, {"List-Unsubscribe": "One-Click"})
    assert Subscriber.objects.get(email="yamada@example.com").unsubscribed_at is not None


def test_a_5xx_fails_with_its_reason_and_a_4xx_is_retried(sent, smtp_server):
    gone = Delivery.objects.get(address="gone@example.com")
    assert gone.status == "failed" and gone.attempts == 1 and gone.error.startswith("550")
    busy = Delivery.objects.get(address="busy@example.com")
    assert busy.status == "sent" and busy.attempts == 1
    assert len(received_by(smtp_server, "busy@example.com")) == 1
    assert not received_by(smtp_server, "gone@example.com")

"""In Debian's Chromium: the secretariat composes, tests, approves and sends an issue; a
reader unsubscribes from the link in the mail the SMTP server received."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from accounts import demo
from newsletter.models import Issue, Subscriber
from outbox.models import Delivery
from tests import browsing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def with_totp(email):
    return browsing.with_totp(get_user_model().objects.get(email=email))


def log_in(page, base, email, secret):
    browsing.log_in(
        page, base, email, demo.DEMO_PASSWORD, next_url="/admin/newsletter/issue/",
        totp_secret=secret,
    )  # fmt: skip


def test_compose_approve_send_and_unsubscribe(portal, page, artifacts):
    call_command("seed_demo")
    author, approver = with_totp(demo.SECRETARIAT), with_totp(demo.EDITOR)
    base = portal.url

    log_in(page, base, demo.SECRETARIAT, author)
    page.get_by_role("link", name="メールマガジン（号） を追加").click()
    page.get_by_label("件名").fill("イノベーションネット通信 号外：勉強会のご案内")
    page.get_by_label("本文（Markdown）").fill(
        "## 金沢で勉強会を開きます\n\n受賞プログラムの**ノウハウ**を共有します。"
    )
    page.get_by_label("イベント").check()
    page.get_by_role("button", name="保存して編集を続ける").click()
    page.get_by_role("button", name="自分にテスト送信").click()
    expect(page.get_by_text(f"{demo.SECRETARIAT} にテストを送信します。")).to_be_visible()
    test_mail = portal.mail.wait_for(lambda m: m["Subject"].startswith("[テスト] "))
    assert demo.SECRETARIAT in test_mail["To"]
    page.get_by_role("button", name="承認する").click()
    expect(
        page.get_by_text("承認は作成者ではなく、別の事務局ユーザーが行います。")
    ).to_be_visible()
    page.screenshot(path=artifacts / "newsletter-issue-draft.png", full_page=True)
    browsing.log_out(page, base)

    issue = Issue.objects.get(subject__contains="号外")
    log_in(page, base, demo.EDITOR, approver)
    page.goto(f"{base}/admin/newsletter/issue/{issue.pk}/change/")
    recipients = int(page.locator(".field-recipients .readonly").inner_text())
    assert recipients > 40
    page.get_by_role("button", name="承認する").click()
    expect(page.get_by_text("承認しました。配信できます。")).to_be_visible()
    page.get_by_role("button", name="配信する").click()
    expect(page.get_by_text("配信を開始しました。")).to_be_visible()
    # The issue's page reloads itself until a worker has started the mailing.
    page.get_by_role("link", name="配信の進捗").click()
    expect(page.locator("[data-field=sent]")).to_have_text(str(recipients), timeout=60_000)
    page.screenshot(path=artifacts / "newsletter-progress.png", full_page=True)

    sent = [
        m
        for m in portal.mail.messages()
        if m["Subject"].startswith("イノベーションネット通信 号外")
    ]
    assert len(sent) == recipients == Delivery.objects.filter(status="sent").count()
    reader = next(m for m in sent if "suzuki@town.example.lg.jp" in m["To"])
    link = re.search(r"配信停止：\s*(\S+)", reader.get_body(("plain",)).get_content()).group(1)
    assert link in reader["List-Unsubscribe"]

    browsing.log_out(page, base)
    page.goto(link)
    expect(page.get_by_role("heading", name="メールマガジンの配信停止")).to_be_visible()
    assert Subscriber.objects.get(email="suzuki@town.example.lg.jp").unsubscribed_at is None
    page.get_by_role("button", name="配信停止").click()
    expect(page.get_by_role("heading", name="配信を停止しました")).to_be_visible()
    page.screenshot(path=artifacts / "newsletter-unsubscribed.png", full_page=True)
    assert Subscriber.objects.get(email="suzuki@town.example.lg.jp").unsubscribed_at is not None

    page.goto(f"{base}/newsletter/{issue.pk}/")
    expect(page.get_by_role("heading", name="金沢で勉強会を開きます")).to_be_visible()

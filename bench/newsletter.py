"""The bulk mail engine end to end: real Celery workers, Redis, PostgreSQL and an SMTP sink.

`newsletter.dispatch` sends RECIPIENTS personalised messages through WORKERS
`celery -A innonet worker` pool processes (one dispatch task, so one SMTP connection, each)
into the aiosmtpd sink of bench/mailsink.py, and compares the rate with a ceiling measured
in the same run: plain smtplib pushing the same messages, rendered from the same deliveries
by the same renderer, over as many connections from as many processes into the same sink.

The pipeline's rate is timed as send_issue() says; the ceiling from its senders' start until
the sink has them all. Rendering the ceiling's messages (after the dispatch, from the same
deliveries) and starting workers are not timed.
worker_peak_rss_mb is the highest peak RSS (VmHWM) of the worker's pool processes.

start_mailing() decides what is sent: a real newsletter issue to subscribers, rendered by
the issue's own renderer (newsletter.rendering.render_issue), as in production.
"""

import os
import time
from email import message_from_bytes, policy

from django.contrib.auth import get_user_model
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bench import mailsink
from bench.common import check, progress
from bench.workers import Workers, broker_cleared
from newsletter import services
from newsletter.defaults import create_defaults
from newsletter.models import Issue, Masthead, Subscriber, Topic
from outbox import renderers
from outbox.models import Delivery, Mailing

RECIPIENTS = 20_000
# Pool processes = dispatch tasks = SMTP connections (BENCH_MAILING_WORKERS to try others).
WORKERS = int(os.environ.get("BENCH_MAILING_WORKERS", "2"))
TIMEOUT = 240  # seconds for either side to deliver everything before the bench gives up

FAMILY_NAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村"]
GIVEN_NAMES = ["花子", "太郎", "真由美", "健一", "陽菜", "大翔", "美咲", "翔太"]
BODY = """いつもイノベーションネットの活動にご協力いただき、ありがとうございます。
今月のイノベーションネット通信をお届けします。

## 地域イノベーション・フォーラムのご案内

全国の支援機関が集まり、**産学官連携**による新事業創出の事例を共有します。
会場参加とオンライン参加のいずれも受け付けています。[お申し込み](https://innonet.example/forum)

## 会員機関の取り組み紹介

- ものづくり企業の試作開発から販路開拓までの一貫支援
- 地域金融機関と連携した事業承継の支援

## 事務局からのお知らせ

会員ページで担当者情報の確認と更新をお願いいたします。
"""


def start_mailing(recipients: int) -> int:
    """A newsletter issue to `recipients` subscribers, approved and sent (workers start on
    commit); the mailing's id. Rendered by the issue's own renderer, as in production."""
    create_defaults()
    topic = Topic.objects.get(slug="events")
    now = timezone.now()
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"reader{n:05d}@bench.example.jp",
                name=f"{FAMILY_NAMES[n % 8]} {GIVEN_NAMES[n // 8 % 8]}",
                confirmed_at=now,
            )
            for n in range(recipients)
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    readers = Subscriber.objects.filter(email__endswith="@bench.example.jp")
    Subscriber.topics.through.objects.bulk_create(
        (
            Subscriber.topics.through(subscriber_id=pk, topic=topic)
            for pk in readers.values_list("pk", flat=True)
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    users = get_user_model().objects
    author = users.get_or_create(email="author@bench.example.jp", defaults={"is_staff": True})[0]
    approver = users.get_or_create(email="approver@bench.example.jp", defaults={"is_staff": True})[
        0
    ]
    issue = Issue.objects.create(
        subject="イノベーションネット通信 2026年12月号",
        body=BODY,
        masthead=Masthead.objects.order_by("pk").first(),
        created_by=author,
    )
    issue.topics.set([topic])
    services.mark_test_sent(issue.pk)
    issue.refresh_from_db()
    services.approve(issue, approver)
    services.schedule(issue, send_at=now)  # its start task, on commit, finds it started
    check(services.start_sending(issue.pk), "the issue did not start sending.")
    issue.refresh_from_db()
    return issue.mailing_id


def prerender(mailing_id: int) -> list[tuple[str, list[str], bytes]]:
    """Every delivery as the engine and Django's SMTP backend put it on the wire."""
    mailing = Mailing.objects.get(pk=mailing_id)
    renderer = renderers.get(mailing.renderer)
    wire = []
    for delivery in mailing.deliveries.order_by("pk").iterator(chunk_size=2000):
        message = renderer(mailing, delivery)
        message.extra_headers["Message-ID"] = delivery.message_id
        encoding = message.encoding or "utf-8"
        wire.append(
            (
                sanitize_address(message.from_email, encoding),
                [sanitize_address(address, encoding) for address in message.recipients()],
                message.message().as_bytes(linesep="\r\n"),
            )
        )
    return wire


def worker_env(smtp_port: int, parallel: int = WORKERS, **extra: str) -> dict[str, str]:
    """The workers' environment on top of the bench's (database, broker, cache, DEBUG)."""
    return {
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MAILING_PARALLEL_TASKS": str(parallel),
        **extra,
    }


def wait_until_done(mailing_id: int, timeout: float = 30) -> None:
    """The last dispatch task marks the mailing done shortly after the last message."""
    deadline = time.monotonic() + timeout
    while Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).exists():
        check(time.monotonic() < deadline, f"mailing {mailing_id} is not done after {timeout} s.")
        time.sleep(0.1)


def tally(mailing_id: int, received: mailsink.Received) -> tuple[int, int]:
    """(duplicates, lost) of what the sink received against the mailing's deliveries.

    Every message must carry a delivery's Message-ID and go to that delivery's address
    only; the sampled messages must also name the recipient on To and in the body, under
    a Japanese (RFC 2047) subject, in UTF-8.
    """
    deliveries = {
        delivery.message_id: delivery
        for delivery in Delivery.objects.filter(mailing_id=mailing_id).only(
            "pk", "mailing_id", "address", "name"
        )
    }
    for message_id, recipients in received.messages:
        delivery = deliveries.get(message_id)
        check(delivery is not None, f"the sink received an unknown Message-ID {message_id!r}.")
        check(
            recipients == (delivery.address,),
            f"{message_id} went to {recipients}, not to {delivery.address}.",
        )
    for raw in received.samples:
        message = message_from_bytes(raw, policy=policy.default)
        delivery = deliveries[message["Message-ID"]]
        (to,) = message["To"].addresses
        text = message.get_body(("plain",))
        raw_subject = next(line for line in raw.splitlines() if line.startswith(b"Subject:"))
        check(
            (to.addr_spec, to.display_name) == (delivery.address, delivery.name)
            and delivery.name in text.get_content()
            and text.get_content_charset() == "utf-8"
            and raw_subject.isascii()
            and not message["Subject"].isascii(),
            f"{delivery.message_id} is not addressed and personalised as rendered:\n"
            f"{raw.decode(errors='replace')[:2000]}",
        )
    distinct = {message_id for message_id, _recipients in received.messages}
    return received.duplicates, len(deliveries) - len(distinct)


def send_issue(sink: mailsink.Sink, parallel: int, timeout: float) -> tuple[int, float]:
    """Send a newsletter issue of RECIPIENTS on `parallel` sender slots through the workers
    started for the sink: (mailing id, messages per second) once the mailing is done.

    The rate is timed from the commit that launches the dispatch tasks (the deliveries are
    in the database by then, and the workers are up) until the sink has received a message
    with every delivery's Message-ID.
    """
    # override_settings outside the atomic block: the launch runs on its commit.
    with override_settings(MAILING_PARALLEL_TASKS=parallel), transaction.atomic():
        progress(f"newsletter: {RECIPIENTS} deliveries")
        mailing_id = start_mailing(RECIPIENTS)
        sink.expect(RECIPIENTS)
        progress("newsletter: dispatch")
        started = time.monotonic()
    done_at = sink.wait(timeout)
    check(done_at is not None, f"the sink has {sink.status()[0]} of {RECIPIENTS}.")
    wait_until_done(mailing_id)
    return mailing_id, RECIPIENTS / (done_at - started)


def bench_dispatch() -> str:
    with broker_cleared(), mailsink.Sink() as sink:
        progress(f"newsletter: starting a celery worker with {WORKERS} pool processes")
        with Workers(WORKERS, worker_env(sink.port)) as workers:
            mailing_id, rate = send_issue(sink, WORKERS, TIMEOUT)
            peak_rss = workers.peak_rss_mb()
        sent = Delivery.objects.filter(mailing_id=mailing_id, status=Delivery.Status.SENT).count()
        duplicates, lost = tally(mailing_id, sink.report())
        progress(f"newsletter: ceiling, smtplib over {WORKERS} connections")
        ceiling = mailsink.ceiling(sink, prerender(mailing_id), WORKERS, TIMEOUT)
        check(ceiling is not None, f"the ceiling did not deliver {RECIPIENTS} in {TIMEOUT} s.")
    figures = (
        f"newsletter.dispatch recipients={RECIPIENTS} workers={WORKERS} sent={sent} "
        f"duplicates={duplicates} lost={lost} rate={rate:.0f}/s ceiling={ceiling:.0f}/s "
        f"ratio={rate / ceiling:.2f} worker_peak_rss_mb={peak_rss:.0f}"
    )
    check((sent, duplicates, lost) == (RECIPIENTS, 0, 0), f"not every message once: {figures}")
    return figures

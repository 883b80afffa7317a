"""The bulk mail engine against a real SMTP server: once each, retries, failures, crashes."""

import itertools
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from outbox import engine, renderers
from outbox.models import Delivery, Mailing, Pace
from tests.outbox.renderers import GREETING, greeting


def recipients(n, domain="example.jp"):
    return [{"address": f"reader{i}@{domain}", "name": f"読者{i}"} for i in range(n)]


def start(rows, capture):
    with capture(execute=False):  # the test runs the workers itself
        return engine.start_mailing("メルマガ第1号", GREETING, rows)


@pytest.mark.django_db
def test_every_delivery_goes_once_over_one_connection(
    smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.MAILING_BATCH_SIZE = 7
    mailing = start(recipients(30), django_capture_on_commit_callbacks)

    engine.dispatch(mailing.pk)

    assert smtp_server.sessions == 1
    assert sorted(to[0] for to, _raw in smtp_server.received) == sorted(
        r["address"] for r in recipients(30)
    )
    ids = {message["Message-ID"] for message in smtp_server.messages()}
    assert ids == {delivery.message_id for delivery in mailing.deliveries.all()}
    assert set(mailing.deliveries.values_list("status", flat=True)) == {"sent"}
    mailing.refresh_from_db()
    assert mailing.status == "done" and mailing.finished_at is not None


@pytest.mark.django_db
def test_japanese_subject_and_body_arrive_intact(smtp_server, django_capture_on_commit_callbacks):
    mailing = start(recipients(1), django_capture_on_commit_callbacks)

    engine.dispatch(mailing.pk)

    message = smtp_server.messages()[0]
    assert message["Subject"] == "【メルマガ第1号】ご案内"
    raw_subject = next(
        line for line in smtp_server.received[0][1].splitlines() if line.startswith(b"Subject:")
    )
    assert raw_subject.isascii() and b"=?utf-8?" in raw_subject.lower()  # RFC 2047
    assert message.get_content().startswith("読者0様")


@pytest.mark.django_db
def test_an_address_listed_twice_gets_one_delivery(django_capture_on_commit_callbacks):
    mailing = start(recipients(3) + recipients(2), django_capture_on_commit_callbacks)

    assert mailing.deliveries.count() == 3


@pytest.mark.django_db
def test_a_temporary_failure_is_retried_later(smtp_server, django_capture_on_commit_callbacks):
    smtp_server.plan("reader1@example.jp", "451 4.3.0 Try again later")
    mailing = start(recipients(3), django_capture_on_commit_callbacks)

    engine.dispatch(mailing.pk)

    delivery = mailing.deliveries.get(address="reader1@example.jp")
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert delivery.next_attempt_at > timezone.now()
    assert "451" in delivery.error
    mailing.refresh_from_db()
    assert mailing.status == "sending"  # not done while a retry is pending

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    engine.dispatch(mailing.pk)

    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert [to for to, _raw in smtp_server.received].count(["reader1@example.jp"]) == 1
    mailing.refresh_from_db()
    assert mailing.status == "done"


@pytest.mark.django_db
def test_retries_back_off_and_stop(smtp_server, django_capture_on_commit_callbacks, settings):
    settings.MAILING_MAX_ATTEMPTS = 3
    settings.MAILING_RETRY_SECONDS = 60
    smtp_server.plan("reader0@example.jp", *["421 4.7.0 Busy"] * 3)
    mailing = start(recipients(1), django_capture_on_commit_callbacks)
    delays = []

    for _attempt in range(3):
        before = timezone.now()
        engine.dispatch(mailing.pk)
        delivery = mailing.deliveries.get()
        if delivery.status == "queued":
            delays.append(round((delivery.next_attempt_at - before).total_seconds() / 60))
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())

    assert delays == [1, 2]
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert smtp_server.received == []


@pytest.mark.django_db
def test_a_permanent_failure_is_recorded_not_retried(
    smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.plan("reader2@example.jp", "550 5.1.1 User unknown")
    mailing = start(recipients(4), django_capture_on_commit_callbacks)

    engine.dispatch(mailing.pk)

    failed = mailing.deliveries.get(address="reader2@example.jp")
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "550" in failed.error and "User unknown" in failed.error
    assert len(smtp_server.received) == 3
    mailing.refresh_from_db()
    assert mailing.status == "done"


@pytest.mark.django_db
def test_many_failures_in_a_row_pause_the_mailing_and_tell_the_secretariat(
    smtp_server, django_capture_on_commit_callbacks, settings, secretariat
):
    settings.MAILING_MAX_FAILURES_IN_A_ROW = 3
    settings.MAILING_BATCH_SIZE = 3
    for row in recipients(10):
        smtp_server.plan(row["address"], "554 5.7.1 Relay access denied")
    mailing = start(recipients(10), django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):  # the notice is sent on commit
        engine.dispatch(mailing.pk)

    mailing.refresh_from_db()
    assert mailing.status == "paused" and "3" in mailing.pause_reason
    assert mailing.deliveries.filter(status="queued").count() == 7  # left for after the fix
    (notice,) = [m for m in smtp_server.messages() if m["To"] == "office@example.jp"]
    assert notice["Subject"] == "【イノベーションネット】配信が一時停止しました：メルマガ第1号"
    assert f"/admin/outbox/mailing/{mailing.pk}/change/" in notice.get_content()


@pytest.mark.django_db
def test_the_secretariat_pauses_and_resumes(
    client, secretariat_with_mfa, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.MAILING_BATCH_SIZE = 2
    mailing = start(recipients(6), django_capture_on_commit_callbacks)
    sender = engine.Sender.take()
    engine._send_batch(engine.Relay(), greeting, mailing, sender, sender.claim(mailing.pk, 2))
    sender.release()
    client.force_login(secretariat_with_mfa)

    client.post(reverse("admin:outbox_mailing_pause", args=[mailing.pk]))
    engine.dispatch(mailing.pk)  # a worker still running stops at its next batch
    assert len(smtp_server.received) == 2
    progress = client.get(reverse("admin:outbox_mailing_progress", args=[mailing.pk])).json()
    assert (progress["status"], progress["sent"], progress["remaining"]) == ("paused", 2, 4)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:outbox_mailing_resume", args=[mailing.pk]))
    assert len(smtp_server.received) == 6
    mailing.refresh_from_db()
    assert mailing.status == "done"


@pytest.mark.django_db
def test_a_dead_senders_claim_is_released_when_its_lease_ends(
    smtp_server, django_capture_on_commit_callbacks
):
    mailing = start(recipients(5), django_capture_on_commit_callbacks)
    claimed = engine.Sender(2).claim(mailing.pk, 3)  # ...and then its process is killed
    Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )

    engine.dispatch(mailing.pk)  # takes slot 1

    assert len(smtp_server.received) == 5
    assert set(mailing.deliveries.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_the_next_holder_of_a_dead_senders_slot_takes_its_rows_back_at_once(
    smtp_server, django_capture_on_commit_callbacks
):
    """The slot's lock went with the dead process's connection: its rows need not wait for
    their lease."""
    mailing = start(recipients(5), django_capture_on_commit_callbacks)
    engine.Sender(1).claim(mailing.pk, 3)  # leased for a minute, but its owner is gone

    engine.dispatch(mailing.pk)

    assert len(smtp_server.received) == 5
    assert set(mailing.deliveries.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_live_claim_is_not_taken_by_another_sender(django_capture_on_commit_callbacks):
    mailing = start(recipients(5), django_capture_on_commit_callbacks)

    first = engine.Sender(1).claim(mailing.pk, 3)
    second = engine.Sender(2).claim(mailing.pk, 10)

    assert {d.pk for d in first}.isdisjoint({d.pk for d in second})
    assert len(second) == 2


@pytest.mark.django_db
def test_a_row_that_passed_to_another_sender_is_not_marked_by_the_first(
    django_capture_on_commit_callbacks,
):
    mailing = start(recipients(1), django_capture_on_commit_callbacks)
    first, second = engine.Sender(1), engine.Sender(2)
    (row,) = first.claim(mailing.pk, 1)
    Delivery.objects.filter(pk=row.pk).update(status="queued", owner="")  # its lease ended
    second.claim(mailing.pk, 1)

    with connection.cursor() as cursor:
        first.mark_sent(cursor, row.pk)
    first.mark_failed(row, "451 later", permanent=False)

    row.refresh_from_db()
    assert (row.status, row.owner, row.attempts) == ("sending", second.token, 0)


@pytest.mark.django_db
def test_a_sender_renews_its_lease_and_keeps_its_rows(
    django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.MAILING_LEASE_SECONDS = 30
    mailing = start(recipients(2), django_capture_on_commit_callbacks)
    sender = engine.Sender(1)
    rows = sender.claim(mailing.pk, 2)
    first_lease = mailing.deliveries.get(pk=rows[0].pk).lease_until
    clock = time.monotonic() + 11  # past a third of the lease
    monkeypatch.setattr(engine.time, "monotonic", lambda: clock)

    assert sender.holds(rows[1].pk)

    assert mailing.deliveries.get(pk=rows[1].pk).lease_until > first_lease
    assert sender.valid_until == clock + 30


def start_for_threads(rows, monkeypatch):
    """A mailing whose senders the test runs in threads of its own (each with its own
    database connection), not the tasks start_mailing launches on commit."""
    with monkeypatch.context() as patch:
        patch.setattr(engine, "launch", lambda mailing_id: None)
        return engine.start_mailing("同時送信", GREETING, rows)


def send_in_threads(mailing_id, count):
    errors = []

    def sender():
        try:
            engine.dispatch(mailing_id)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def assert_each_once(smtp_server, mailing, count):
    addresses = [to[0] for to, _raw in smtp_server.received]
    assert len(addresses) == len(set(addresses)) == count
    assert Mailing.objects.get(pk=mailing.pk).status == "done"


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_each_message_once(smtp_server, settings, monkeypatch):
    settings.MAILING_BATCH_SIZE = 5
    mailing = start_for_threads(recipients(60), monkeypatch)

    send_in_threads(mailing.pk, 4)

    assert_each_once(smtp_server, mailing, 60)
    assert smtp_server.sessions == 4


@pytest.mark.django_db(transaction=True)
def test_senders_never_open_more_connections_than_slots(smtp_server, settings, monkeypatch):
    settings.MAILING_PARALLEL_TASKS = 2
    settings.MAILING_BATCH_SIZE = 5
    mailing = start_for_threads(recipients(40), monkeypatch)

    send_in_threads(mailing.pk, 5)  # a resume on top of running senders, say

    assert_each_once(smtp_server, mailing, 40)
    assert smtp_server.sessions <= 2


@pytest.mark.django_db(transaction=True)
def test_a_slow_relay_and_a_lease_shorter_than_a_batch_send_nothing_twice(
    smtp_server, settings, monkeypatch
):
    """Issue 24: a batch outlived its lease under a live sender, another sender put its
    rows back and both sent them. Senders now renew their lease and check they still own
    each row."""
    settings.MAILING_LEASE_SECONDS = 1
    settings.MAILING_BATCH_SIZE = 40
    smtp_server.latency = 0.1  # a batch takes 4 s: four leases
    # Two full batches and one of 15: its sender comes back for more while the leases of
    # the other two have run out under them.
    mailing = start_for_threads(recipients(95), monkeypatch)

    send_in_threads(mailing.pk, 3)

    assert_each_once(smtp_server, mailing, 95)


@pytest.mark.django_db(transaction=True)
def test_under_a_rate_limit_with_a_short_lease_nothing_is_sent_twice_nor_too_fast(
    smtp_server, settings, monkeypatch
):
    """The independent check: 5 messages a second, a lease shorter than a batch takes at
    that rate, no kills: every message once, and no second of the relay's over the limit."""
    settings.MAILING_RATE_PER_SECOND = 5
    settings.MAILING_LEASE_SECONDS = 2
    settings.MAILING_BATCH_SIZE = 15  # 3 s at 5 a second
    mailing = start_for_threads(recipients(30), monkeypatch)

    send_in_threads(mailing.pk, 2)

    assert_each_once(smtp_server, mailing, 30)
    arrivals = smtp_server.arrivals
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1) for start in arrivals)
    assert busiest <= 5


@pytest.mark.django_db
def test_resume_starts_workers_for_stalled_mailings(
    smtp_server, django_capture_on_commit_callbacks
):
    mailing = start(recipients(4), django_capture_on_commit_callbacks)  # its tasks were lost

    assert engine.resume_stalled() == 1  # tasks run in-process in the tests

    assert len(smtp_server.received) == 4
    mailing.refresh_from_db()
    assert mailing.status == "done"
    assert engine.resume_stalled() == 0


@pytest.mark.django_db
def test_a_relay_that_refuses_the_connection_leaves_the_slot_free(
    smtp_server, django_capture_on_commit_callbacks, settings
):
    """The worker keeps its database connection, and with it any advisory lock not let go."""
    mailing = start(recipients(1), django_capture_on_commit_callbacks)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = closed.getsockname()[1]  # nothing listens there

    with pytest.raises(OSError):
        engine.dispatch(mailing.pk)

    with connection.cursor() as cursor:
        cursor.execute(engine._HELD_SLOTS, [engine._SLOT_LOCK])
        assert cursor.fetchall() == []


@pytest.mark.django_db
def test_resume_starts_senders_for_rows_only_a_dead_sender_holds(
    smtp_server, django_capture_on_commit_callbacks
):
    """Near the end of a mailing every unsent row may be claimed: if their senders died,
    nothing is queued, yet their slots are free and their rows must go."""
    mailing = start(recipients(3), django_capture_on_commit_callbacks)
    engine.Sender(1).claim(mailing.pk, 3)  # leased for a minute, but its owner is gone

    assert engine.resume_stalled() == 1

    assert len(smtp_server.received) == 3
    assert set(mailing.deliveries.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_resume_leaves_rows_that_a_live_sender_holds(django_capture_on_commit_callbacks):
    mailing = start(recipients(3), django_capture_on_commit_callbacks)
    sender = engine.Sender.take()
    sender.claim(mailing.pk, 3)

    try:
        assert engine.resume_stalled() == 0
    finally:
        sender.release()


@pytest.mark.django_db
def test_the_rate_limit_spaces_messages_evenly_across_senders(settings):
    """Each message takes the next slot of the pace row, whoever sends it: no burst."""
    settings.MAILING_RATE_PER_SECOND = 50
    marks = []
    for _message in range(4):
        engine.pace()
        marks.append(Pace.objects.get().next_at)

    step = timedelta(seconds=1 / (50 * engine._PACE_SHARE))
    assert [later - earlier for earlier, later in itertools.pairwise(marks)] == [step] * 3


@pytest.mark.django_db
def test_the_worker_session_gets_its_commit_setting_back(
    smtp_server, django_capture_on_commit_callbacks, monkeypatch
):
    mailing = start(recipients(3), django_capture_on_commit_callbacks)
    seen = []
    real = engine.Sender.mark_sent

    def spy(sender, cursor, delivery_id):
        cursor.execute("SHOW synchronous_commit")
        seen.append(cursor.fetchone()[0])
        real(sender, cursor, delivery_id)

    monkeypatch.setattr(engine.Sender, "mark_sent", spy)
    engine.dispatch(mailing.pk)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    assert seen == ["off"] * 3


def fails_for_reader1(mailing, delivery):
    if delivery.address == "reader1@example.jp":
        raise KeyError("invoice")
    return greeting(mailing, delivery)


renderers.register("tests.fails_for_reader1", fails_for_reader1)


@pytest.mark.django_db
def test_a_row_that_does_not_render_fails_and_the_rest_go(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        mailing = engine.start_mailing("第1号", "tests.fails_for_reader1", recipients(3))

    engine.dispatch(mailing.pk)

    assert sorted(to[0] for to, _raw in smtp_server.received) == [
        "reader0@example.jp",
        "reader2@example.jp",
    ]
    broken = mailing.deliveries.get(address="reader1@example.jp")
    assert broken.status == "failed" and broken.error.startswith("not rendered: KeyError")
    mailing.refresh_from_db()
    assert mailing.status == "done"


def slow_greeting(mailing, delivery):
    time.sleep(0.05)  # an invoice notice builds its PDF
    return greeting(mailing, delivery)


renderers.register("tests.slow_greeting", slow_greeting)


@pytest.mark.django_db(transaction=True)
def test_slow_rendering_counts_against_the_lease_and_sends_nothing_twice(
    smtp_server, settings, monkeypatch
):
    """A batch rendered ahead of sending took longer than its lease: the other sender put
    its rows back and both sent them."""
    settings.MAILING_LEASE_SECONDS = 1
    settings.MAILING_BATCH_SIZE = 40  # 2 s of rendering
    with monkeypatch.context() as patch:
        patch.setattr(engine, "launch", lambda mailing_id: None)
        mailing = engine.start_mailing("請求書のご案内", "tests.slow_greeting", recipients(95))

    send_in_threads(mailing.pk, 3)

    assert_each_once(smtp_server, mailing, 95)

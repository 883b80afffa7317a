"""The mail engine through Resend's HTTP API (outbox/http_api.py), against a stand-in on
loopback: each message once, keyed by its Message-ID; 429 and 5xx retried with backoff;
other 4xx permanent. No real provider is ever called."""

from email.utils import formataddr, parseaddr
from functools import cache

import pytest
from django.core.mail import send_mail
from django.utils import timezone

from innonet.settings import email_from_url
from outbox import engine, http_api, renderers
from outbox.models import Delivery
from outbox.wire import MessageTemplate
from portal.mail import PortalMessage
from tests.outbox.resend_stub import ResendStub, error, slow
from tests.outbox.test_engine import recipients, start


@pytest.fixture
def resend(settings, monkeypatch):
    """Mail goes to the stand-in, as EMAIL_URL=resend+http://… sets it; the backend's waits
    are recorded instead of slept."""
    with ResendStub() as stub:
        for name, value in email_from_url(f"resend+http://re_test@127.0.0.1:{stub.port}").items():
            setattr(settings, name, value)
        stub.waits = []
        monkeypatch.setattr(http_api, "sleep", stub.waits.append)
        yield stub


@pytest.mark.django_db
def test_every_recipient_is_sent_once_keyed_by_its_message_id(
    resend, django_capture_on_commit_callbacks, settings
):
    settings.MAILING_BATCH_SIZE = 4
    mailing = start(recipients(10), django_capture_on_commit_callbacks)

    engine.dispatch(mailing.pk)

    assert sorted(request.address for request in resend.sent) == sorted(
        row["address"] for row in recipients(10)
    )
    assert len(resend.requests) == 10
    message_ids = {d.address: d.message_id for d in mailing.deliveries.all()}
    for request in resend.requests:
        assert request.path == "/emails"
        assert request.headers["Authorization"] == "Bearer re_test"
        assert request.key == request.payload["headers"]["Message-ID"]
        assert request.key == message_ids[request.address]
    first = next(r for r in resend.requests if r.address == "reader0@example.jp").payload
    assert first["subject"] == "【メルマガ第1号】ご案内"
    assert first["text"].startswith("読者0様")
    assert set(mailing.deliveries.values_list("status", flat=True)) == {"sent"}
    mailing.refresh_from_db()
    assert mailing.status == "done"
    assert resend.waits == []


@pytest.mark.django_db
def test_busy_and_failing_answers_are_retried_with_backoff_then_sent(
    resend, django_capture_on_commit_callbacks
):
    resend.plan("reader0@example.jp", error(429, Retry_After="2"), error(503))
    resend.plan("reader1@example.jp", error(500), error(502), error(504))
    resend.plan("reader2@example.jp", error(429, Retry_After="3600"))  # capped
    resend.plan("reader3@example.jp", error(409, "concurrent_idempotent_requests"))
    mailing = start(recipients(5), django_capture_on_commit_callbacks)

    engine.dispatch(mailing.pk)

    # Retry-After 2, then 2 s for the second try; 1, 2, 4 s; Retry-After capped at 10 s; 1 s.
    assert resend.waits == [2.0, 2.0, 1.0, 2.0, 4.0, 10.0, 1.0]
    tries = {f"reader{i}@example.jp": n for i, n in enumerate([3, 4, 2, 2, 1])}
    for address, n in tries.items():
        requests = resend.requests_to(address)
        assert len(requests) == n
        assert len({request.key for request in requests}) == 1
    assert sorted(request.address for request in resend.sent) == sorted(tries)
    assert set(mailing.deliveries.values_list("status", "attempts", "error")) == {("sent", 0, "")}


@pytest.mark.django_db
def test_a_refused_message_is_a_permanent_failure_and_not_tried_again(
    resend, django_capture_on_commit_callbacks
):
    resend.plan("reader1@example.jp", error(422, "validation_error"))
    resend.plan("reader2@example.jp", error(400, "invalid_idempotency_key"))
    mailing = start(recipients(4), django_capture_on_commit_callbacks)

    engine.dispatch(mailing.pk)

    for address, status in [("reader1@example.jp", "422"), ("reader2@example.jp", "400")]:
        failed = mailing.deliveries.get(address=address)
        assert (failed.status, failed.attempts, failed.next_attempt_at) == ("failed", 1, None)
        assert failed.error.startswith(status)
        assert len(resend.requests_to(address)) == 1
    assert sorted(r.address for r in resend.sent) == ["reader0@example.jp", "reader3@example.jp"]
    assert resend.waits == []
    mailing.refresh_from_db()
    assert mailing.status == "done"


@pytest.mark.django_db
def test_a_request_that_keeps_failing_is_a_temporary_failure_retried_later(
    resend, django_capture_on_commit_callbacks, settings
):
    settings.MAILING_API_RETRIES = 2
    resend.plan("reader1@example.jp", *[error(503)] * 3)
    mailing = start(recipients(3), django_capture_on_commit_callbacks)

    engine.dispatch(mailing.pk)

    delivery = mailing.deliveries.get(address="reader1@example.jp")
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert delivery.next_attempt_at > timezone.now()
    assert delivery.error.startswith("503")
    assert len(resend.requests_to("reader1@example.jp")) == 3
    mailing.refresh_from_db()
    assert mailing.status == "sending"

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    engine.dispatch(mailing.pk)

    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert [r.address for r in resend.sent].count("reader1@example.jp") == 1
    assert {r.key for r in resend.requests_to("reader1@example.jp")} == {delivery.message_id}
    mailing.refresh_from_db()
    assert mailing.status == "done"


@pytest.mark.django_db
def test_an_answer_lost_after_resend_took_the_message_does_not_send_it_twice(
    resend, django_capture_on_commit_callbacks, settings
):
    settings.ANYMAIL_REQUESTS_TIMEOUT = 0.3
    resend.plan("reader1@example.jp", slow(1.0))  # taken, but the answer comes too late
    mailing = start(recipients(3), django_capture_on_commit_callbacks)

    engine.dispatch(mailing.pk)

    delivery = mailing.deliveries.get(address="reader1@example.jp")
    assert (delivery.status, delivery.attempts) == ("queued", 1)  # a timeout: try again later
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    engine.dispatch(mailing.pk)

    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert [request.status for request in resend.requests_to("reader1@example.jp")] == [200, 200]
    assert [r.address for r in resend.sent].count("reader1@example.jp") == 1
    assert len(resend.sent) == 3


_NAME, _TO, _MESSAGE_ID = "@@宛名@@", "@@TO@@", "@@MESSAGE-ID@@"  # as newsletter.rendering


@cache
def _template(mailing_id: int) -> MessageTemplate:
    message = PortalMessage(
        subject="イノベーションネット通信 第1号",
        body=f"{_NAME}\n\n本文です。\n",
        to=[_TO],
        headers={"Message-ID": f"<{_MESSAGE_ID}>", "List-Id": "<newsletter.example.jp>"},
    )
    message.attach_alternative(f"<p>{_NAME}</p><p>本文です。</p>", "text/html")
    return MessageTemplate(message, [_NAME, _TO, _MESSAGE_ID])


def spliced(mailing, delivery):
    values = {
        _NAME: f"{delivery.name} 様",
        _TO: formataddr((delivery.name, delivery.address), charset="utf-8"),
        _MESSAGE_ID: delivery.message_id[1:-1],
    }
    return _template(mailing.pk).fill(delivery.address, values)


renderers.register("tests.spliced", spliced)


@pytest.mark.django_db
def test_a_spliced_message_is_sent_as_its_fields_and_headers(
    resend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        mailing = engine.start_mailing("第1号", "tests.spliced", recipients(2))

    engine.dispatch(mailing.pk)

    assert _template(mailing.pk).spliceable
    assert len(resend.sent) == 2
    for request in resend.sent:
        delivery = mailing.deliveries.get(address=request.address)
        payload = request.payload
        assert parseaddr(payload["to"][0]) == (delivery.name, delivery.address)
        assert payload["subject"] == "イノベーションネット通信 第1号"
        assert payload["text"] == f"{delivery.name} 様\n\n本文です。\n"
        assert payload["html"] == f"<p>{delivery.name} 様</p><p>本文です。</p>"
        assert payload["headers"] == {
            "Message-ID": delivery.message_id,
            "List-Id": "<newsletter.example.jp>",
        }
        assert request.key == delivery.message_id


def test_mail_sent_outside_the_engine_is_given_a_message_id_as_its_key(resend, settings):
    send_mail("件名", "本文", None, ["someone@example.jp"])
    send_mail("件名", "本文", None, ["someone@example.jp"])

    keys = [request.key for request in resend.requests]
    assert len(set(keys)) == 2  # two mails, not one sent again
    for request in resend.requests:
        assert request.key == request.payload["headers"]["Message-ID"]
        assert request.key.endswith(f"@{settings.MAIL_MESSAGE_ID_DOMAIN}>")

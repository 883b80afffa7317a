"""Structured logs: JSON lines with the request id, carried into the Celery tasks a request
enqueues, through a real worker on the test Redis."""

import io
import json
import logging
import time
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from innonet.celery import app
from newsletter.models import Topic
from portal import logging as portal_logging
from portal.models import FailedTask
from tests.processes import manage

# A task that exists only for these tests: it fails, as a real one might.
ERROR_TEXT = "the relay refused the connection"


@app.task(name="tests.portal.failing_task")
def failing_task(number):
    raise ConnectionError(ERROR_TEXT)


class JSONLog:
    """Every record of this process (worker threads included), formatted as production
    writes it; `lines()` parses what was written so far."""

    def __init__(self):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(portal_logging.JSONFormatter(tz="Asia/Tokyo"))
        self.handler.addFilter(portal_logging.ContextFilter())

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def wait_for(self, predicate) -> dict:
        return eventually(lambda: next((e for e in self.lines() if predicate(e)), None))


def eventually(probe, timeout=20.0):
    """What `probe()` returns once it is something: the worker runs in another thread."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := probe():
            return found
        time.sleep(0.05)
    raise AssertionError(f"Nothing within {timeout} s")


@contextmanager
def json_log():
    log = JSONLog()
    root = logging.getLogger()
    level = root.level
    root.addHandler(log.handler)
    root.setLevel(logging.INFO)
    try:
        yield log
    finally:
        root.removeHandler(log.handler)
        root.setLevel(level)


@pytest.fixture
def worker(settings):
    """A real Celery worker in this process, consuming from the test broker."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="INFO"):
            yield
    finally:
        app.conf.task_always_eager = True


def test_each_request_writes_one_json_line_with_its_id(client, db):
    with json_log() as log:
        response = client.get(reverse("healthz"), headers={"X-Request-ID": "edge-4f2a"})
    assert response.headers["X-Request-ID"] == "edge-4f2a"
    (line,) = [entry for entry in log.lines() if entry["logger"] == "portal.request"]
    assert line["request_id"] == "edge-4f2a"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["level"] == "INFO" and line["task_id"] is None
    assert line["time"].endswith("+09:00")
    assert isinstance(line["duration_ms"], float)


@pytest.mark.parametrize("forged", ["a\nINFO forged line", "x" * 200, " ", "<script>"])
def test_a_request_id_unfit_for_a_log_line_is_replaced(client, db, forged):
    with json_log() as log:
        response = client.get(reverse("healthz"), headers={"X-Request-ID": forged})
    request_id = response.headers["X-Request-ID"]
    assert request_id != forged and len(request_id) == 32
    requests = [e["request_id"] for e in log.lines() if e["logger"] == "portal.request"]
    assert requests == [request_id]


def test_an_error_is_one_json_line_with_its_traceback(db):
    with json_log() as log:
        portal_logging.request_id_var.set("req-77")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("portal.test").exception("Could not render 議案")
        finally:
            portal_logging.request_id_var.set(None)
    (line,) = log.lines()
    assert line["message"] == "Could not render 議案"
    assert line["request_id"] == "req-77" and line["level"] == "ERROR"
    assert "ValueError: boom" in line["exception"]


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_by_a_request_logs_with_the_requests_id(client, worker):
    # A transactional test starts with empty tables, without the migrations' topics.
    topic = Topic.objects.create(slug="events", name="イベント")
    with json_log() as log:
        response = client.post(
            reverse("newsletter:subscribe"),
            {"email": "reader@example.com", "topics": [topic.pk]},
            headers={"X-Request-ID": "edge-subscribe-1"},
        )
        assert response.status_code == 200
        # The confirmation mail is sent by the worker, not by the request.
        done = log.wait_for(
            lambda e: (
                e["logger"] == "celery.app.trace"
                and e["task_name"] == "newsletter.tasks.send_confirmation"
            )
        )
    assert done["request_id"] == "edge-subscribe-1"
    assert done["task_id"]
    assert [m.to for m in mail.outbox] == [["reader@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_a_failed_task_is_recorded_with_the_request_that_sent_it(worker):
    portal_logging.request_id_var.set("req-fail-9")
    try:
        result = failing_task.delay(7)
    finally:
        portal_logging.request_id_var.set(None)
    row = eventually(lambda: FailedTask.objects.filter(task_id=result.id).first())
    assert (row.name, row.args, row.kwargs) == ("tests.portal.failing_task", [7], {})
    assert row.request_id == "req-fail-9"
    assert ERROR_TEXT in row.exception and "ConnectionError" in row.traceback
    assert row.count == 1 and not row.resolved


def test_production_logs_json_and_a_wrong_format_fails_loudly():
    script = "from django.conf import settings as s; print(s.LOG_FORMAT)"
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "k" * 60,
        "DATABASE_URL": "postgres://innonet@db/innonet",
        "CELERY_BROKER_URL": "redis://redis:6379/0",
    }
    result = manage("shell", "-v0", "-c", script, env=production)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "json"
    result = manage("check", env={"LOG_FORMAT": "xml"})
    assert result.returncode != 0 and "LOG_FORMAT='xml' is not json or text" in result.stderr

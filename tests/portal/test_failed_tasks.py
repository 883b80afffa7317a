"""Failed tasks, recorded for the secretariat and shown in the admin."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from innonet.celery import app
from portal import failures
from portal.models import FailedTask

pytestmark = pytest.mark.django_db

# The task below fails until this cache key is set: a relay down, then up again.
RELAY_UP = "tests.portal.relay-up"


@app.task(name="tests.portal.send_when_relay_up")
def send_when_relay_up(issue_id, *, batch=1):
    if not cache.get(RELAY_UP):
        raise ConnectionRefusedError("[Errno 111] Connection refused")
    return issue_id


def fail_once():
    send_when_relay_up.apply((5,), {"batch": 2}, task_id="task-5", throw=False)
    return FailedTask.objects.get(task_id="task-5")


def test_a_failure_is_recorded_once_per_task_and_counted_up():
    row = fail_once()
    assert (row.name, row.args, row.kwargs) == (
        "tests.portal.send_when_relay_up",
        [5],
        {"batch": 2},
    )
    assert "ConnectionRefusedError" in row.exception
    assert "send_when_relay_up" in row.traceback
    FailedTask.objects.filter(pk=row.pk).update(resolved=True)
    again = fail_once()  # a redelivery of the same message fails again: the row reopens
    assert (again.pk, again.count, again.resolved) == (row.pk, 2, False)


def test_arguments_that_are_not_json_are_kept_only_as_text():
    row = failures.record(
        task_id="t-1", name="x", args=[object()], kwargs={}, exception=ValueError("no")
    )
    assert row.args is None and not row.can_retry
    assert "object object" in row.args_repr and row.exception == "ValueError: no"


def test_the_secretariat_sees_failures_and_sends_a_task_again(
    client, secretariat_with_mfa, django_capture_on_commit_callbacks
):
    row = fail_once()
    client.force_login(secretariat_with_mfa)
    page = client.get(reverse("admin:portal_failedtask_changelist"))
    assert page.status_code == 200
    assert "tests.portal.send_when_relay_up" in page.content.decode()
    assert "ConnectionRefusedError" in page.content.decode()

    url = reverse("admin:portal_failedtask_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "send_again", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert (row.count, row.resolved) == (2, False)  # still down: counted on the same row
    assert row.retried_at is not None

    cache.set(RELAY_UP, True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "send_again", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert (row.count, row.resolved) == (2, True)  # it worked: resolved


def test_the_secretariat_marks_failures_resolved(client, secretariat_with_mfa):
    row = fail_once()
    client.force_login(secretariat_with_mfa)
    client.post(
        reverse("admin:portal_failedtask_changelist"),
        {"action": "mark_resolved", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert row.resolved and row.resolved_by == secretariat_with_mfa and row.resolved_at


def test_nobody_edits_or_deletes_a_failure_in_the_admin(client, secretariat_with_mfa):
    row = fail_once()
    client.force_login(secretariat_with_mfa)
    assert client.get(reverse("admin:portal_failedtask_add")).status_code == 403
    assert client.get(reverse("admin:portal_failedtask_delete", args=[row.pk])).status_code == 403
    client.post(reverse("admin:portal_failedtask_change", args=[row.pk]), {"name": "changed"})
    row.refresh_from_db()
    assert row.name == "tests.portal.send_when_relay_up"


@pytest.mark.parametrize("rows", [3, 300])
def test_the_failed_task_list_within_budget(
    client, secretariat_with_mfa, rows, django_assert_max_num_queries
):
    for n in range(rows):
        failures.record(task_id=f"t-{n}", name="newsletter.tasks.send_batch", args=[n],
                        kwargs={}, exception="SMTPServerDisconnected: gone")  # fmt: skip
    client.force_login(secretariat_with_mfa)
    with django_assert_max_num_queries(12):  # as the other admin lists
        assert client.get(reverse("admin:portal_failedtask_changelist")).status_code == 200

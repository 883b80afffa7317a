"""Failed Celery tasks, kept for the secretariat (portal.models.FailedTask).

`record` is called by the `task_failure` handler (connected in innonet/celery.py) and is
idempotent per task id. `mark_resolved` and `send_again` are what the admin's actions call.
"""

import json
import logging
import traceback as traceback_module

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import logging as portal_logging

logger = logging.getLogger(__name__)

REPR_LIMIT = 2000
TRACEBACK_LIMIT = 20000
# Arguments larger than this (as JSON) are kept only as their repr: no "send again".
JSON_LIMIT = 64 * 1024
# The header that marks a task sent again from the admin: its success resolves the row.
RETRY_HEADER = "portal_failed_task"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_json(value):
    """The value when it is JSON and small enough to keep, else None."""
    try:
        encoded = json.dumps(value)
    except (TypeError, ValueError):
        return None
    return json.loads(encoded) if len(encoded) <= JSON_LIMIT else None


def record(
    *,
    task_id: str,
    name: str,
    args=None,
    kwargs=None,
    exception: BaseException | str,
    traceback_text: str = "",
    request_id: str | None = None,
):
    """One row per task id: created at the first failure, counted up (and reopened) after."""
    from portal.models import FailedTask

    args = list(args or ())
    kwargs = dict(kwargs or {})
    exception_text = (
        exception
        if isinstance(exception, str)
        else "".join(traceback_module.format_exception_only(exception)).strip()
    )
    now = timezone.now()
    fields = {
        "name": _truncate(name or "", 255),
        "args_repr": _truncate(repr(args), REPR_LIMIT),
        "kwargs_repr": _truncate(repr(kwargs), REPR_LIMIT),
        "args": _as_json(args),
        "kwargs": _as_json(kwargs),
        "exception": _truncate(exception_text, REPR_LIMIT),
        "traceback": _truncate(traceback_text or "", TRACEBACK_LIMIT),
        "request_id": request_id or "",
        "last_failed_at": now,
        "resolved": False,
        "resolved_at": None,
        "resolved_by": None,
    }
    if fields["args"] is None or fields["kwargs"] is None:
        fields["args"] = fields["kwargs"] = None
    with transaction.atomic():
        row, created = FailedTask.objects.select_for_update().get_or_create(
            task_id=task_id, defaults=fields
        )
        if not created:
            for key, value in fields.items():
                setattr(row, key, value)
            row.count = F("count") + 1
            row.save()
            row.refresh_from_db()
    return row


def on_task_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None,
                    traceback=None, einfo=None, **extra):  # fmt: skip
    """`task_failure`: record it, and never let recording break the worker."""
    try:
        request = getattr(sender, "request", None)
        request_id = (
            portal_logging.sane_request_id(
                portal_logging._header(request, portal_logging.HEADER) if request else None
            )
            or portal_logging.current_request_id()
        )
        if einfo is not None:
            traceback_text = str(einfo.traceback)
        elif traceback is not None:
            traceback_text = "".join(traceback_module.format_tb(traceback))
        else:
            traceback_text = ""
        record(
            task_id=task_id,
            name=getattr(sender, "name", "") or "",
            args=args,
            kwargs=kwargs,
            exception=exception,
            traceback_text=traceback_text,
            request_id=request_id,
        )
    except Exception:
        logger.exception("Could not record the failure of task %s", task_id)


def on_task_success(sender=None, **extra):
    """`task_success`: a task sent again from the admin that now worked resolves its row."""
    request = getattr(sender, "request", None)
    if request is None or not portal_logging._header(request, RETRY_HEADER):
        return
    from portal.models import FailedTask

    try:
        FailedTask.objects.filter(task_id=request.id, resolved=False).update(
            resolved=True, resolved_at=timezone.now()
        )
    except Exception:
        logger.exception("Could not resolve failed task %s", request.id)


def mark_resolved(ids, user) -> int:
    from portal.models import FailedTask

    return FailedTask.objects.filter(pk__in=list(ids), resolved=False).update(
        resolved=True, resolved_at=timezone.now(), resolved_by=user
    )


class CannotSendAgain(Exception):
    """The row cannot be sent again; the message (translated) says why."""


def send_again(failed_task_id: int) -> str:
    """Send the task again by name, with its stored arguments and the same task id (so a new
    failure counts up on the same row). Returns the task id."""
    from celery import current_app

    from portal.models import FailedTask

    row = FailedTask.objects.get(pk=failed_task_id)
    if not row.can_retry:
        raise CannotSendAgain(_("its arguments were not kept"))
    task = current_app.tasks.get(row.name)
    if task is None:
        raise CannotSendAgain(_("no task of that name is registered here"))
    FailedTask.objects.filter(pk=row.pk).update(retried_at=timezone.now())
    options = {"task_id": row.task_id, "headers": {RETRY_HEADER: row.pk}}
    if current_app.conf.task_always_eager:
        # In-process (the embedded default): a new failure is recorded, not raised at the
        # admin page.
        def send():
            task.apply(row.args, row.kwargs, throw=False, **options)
    else:

        def send():
            task.apply_async(row.args, row.kwargs, **options)

    transaction.on_commit(send)
    return row.task_id

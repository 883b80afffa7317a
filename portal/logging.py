"""Log records with the request and task they belong to; JSON lines in production.

Every record gets `request_id` (from `RequestIdMiddleware`, carried into the Celery tasks a
request enqueues through a message header) and, inside a task, `task_id` and `task_name`.
`JSONFormatter` writes one JSON object per line; `TextFormatter` the same fields as plain
text for the embedded default. Both are wired in `LOGGING` (innonet/settings.py).

This module imports neither Django models nor settings, so that innonet/celery.py can
connect its signal handlers before the apps are loaded.
"""

import json
import logging
import re
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

# The id of the request (or of the request that enqueued the running task).
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# The message header that carries the request id from the web process to the worker.
HEADER = "request_id"

# What a proxy may send as X-Request-ID: a short token, nothing that could forge a log line.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")


def sane_request_id(value) -> str | None:
    """`value` when it is a token fit for a log line, else None."""
    if isinstance(value, str) and _SANE.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()


def _current_task():
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return None
    task = current_task
    if task is None or not getattr(task, "request", None) or not task.request.id:
        return None
    return task


# --- Records -----------------------------------------------------------------

# Attributes every LogRecord has: anything else was passed with `extra=` and is logged too.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "task_id",
    "task_name",
    "context",
}


class ContextFilter(logging.Filter):
    """Adds request_id, task_id and task_name (None when there is none) to every record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "task_id"):
            task = _current_task()
            record.task_id = task.request.id if task else None
            record.task_name = task.name if task else None
        return True


class RefusalFilter(logging.Filter):
    """A refusal the code meant (PermissionDenied, Http404, a bad request: Django logs each
    4xx response with its exception) is one line, without the traceback: a traceback is for
    what went wrong, and one per intended 403 buried those. 5xx keep theirs."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def _context(record) -> dict:
    """The context fields, computed here too when the filter was not on the handler."""
    if not hasattr(record, "request_id") or not hasattr(record, "task_id"):
        ContextFilter().filter(record)
    return {
        "request_id": record.request_id,
        "task_id": record.task_id,
        "task_name": getattr(record, "task_name", None),
    }


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601 with offset), level, logger, message,
    request_id, task_id, task_name, exception (the traceback text) and any `extra=` fields."""

    def __init__(self, *args, tz: str | tzinfo | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else (tz or UTC)

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=self.tz).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context(record),
        }
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal: time, level, logger, [request and task], message."""

    def __init__(self, fmt=None, *args, **kwargs):
        super().__init__(
            fmt or "%(asctime)s %(levelname)s %(name)s%(context)s %(message)s", *args, **kwargs
        )

    def format(self, record):
        context = _context(record)
        parts = []
        if context["request_id"]:
            parts.append(f"request={context['request_id']}")
        if context["task_id"]:
            parts.append(f"task={context['task_name']}[{context['task_id']}]")
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return super().format(record)


# --- Celery: the request id travels with the task ------------------------------


def _header(request, name):
    """A custom message header as the worker sees it (an attribute of the request) or as
    `apply(headers=...)` passes it (in `request.headers`)."""
    value = getattr(request, name, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)
    return value


def add_request_id_header(headers=None, **kwargs):
    """`before_task_publish`: a task enqueued during a request (or a task) carries its id."""
    request_id = request_id_var.get()
    if request_id and headers is not None and HEADER not in headers:
        headers[HEADER] = request_id


_tokens: dict[str, list] = {}


def enter_task(task_id=None, task=None, **kwargs):
    """`task_prerun`: the worker's log lines carry the request id of the message (in eager
    mode, the one already current)."""
    request_id = sane_request_id(_header(task.request, HEADER)) if task else None
    token = request_id_var.set(request_id or request_id_var.get())
    _tokens.setdefault(task_id, []).append(token)


def leave_task(task_id=None, **kwargs):
    """`task_postrun`: back to what it was before the task."""
    stack = _tokens.get(task_id)
    if not stack:
        return
    token = stack.pop()
    if not stack:
        del _tokens[task_id]
    try:
        request_id_var.reset(token)
    except ValueError:  # set in another context (should not happen): just clear it
        request_id_var.set(None)

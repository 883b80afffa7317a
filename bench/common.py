"""What every bench scenario shares: progress on stderr, checks that stop the bench."""

import gc
import statistics
import sys
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext


class BenchError(Exception):
    """A check failed: the figures would be meaningless, so the bench stops non-zero."""


_started = time.perf_counter()


def progress(message: str) -> None:
    """Progress on stderr, so that stdout carries only the figures."""
    print(f"[{time.perf_counter() - _started:6.1f}s] {message}", file=sys.stderr, flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchError(message)


def page_figures(get, requests: int) -> tuple[float, int]:
    """(p95 in ms of `requests` calls of `get`, the SQL queries of one more call).

    The process's objects are frozen first, as innonet/wsgi.py freezes a worker's after its
    start-up: otherwise each full collection walks all that the bench built before (the
    registry's rows, the dues run's objects), and the tail measures the bench, not the page.
    """
    gc.freeze()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        get()
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        get()
    return statistics.quantiles(samples, n=100)[94], len(queries)

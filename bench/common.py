"""What every bench scenario shares: progress on stderr, checks that stop the bench."""

import sys
import time


class BenchError(Exception):
    """A check failed: the figures would be meaningless, so the bench stops non-zero."""


_started = time.perf_counter()


def progress(message: str) -> None:
    """Progress on stderr, so that stdout carries only the figures."""
    print(f"[{time.perf_counter() - _started:6.1f}s] {message}", file=sys.stderr, flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchError(message)

"""Real Celery workers for the bench: `celery -A innonet worker` subprocesses.

One worker node with `concurrency` prefork pool processes, in a session of its own so that
its process group (main and pool children) can be killed at once, as a crash or an OOM kill
would, and never outlives the bench. Its output goes to stderr: stdout carries only figures.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import redis
from django.conf import settings

from bench.common import BenchError
from innonet.celery import app as celery_app

# kombu's Redis transport keeps delivered, unacknowledged tasks here and hands them out
# again only after the visibility timeout (an hour): see clear_broker().
UNACKED_KEYS = ("unacked", "unacked_index", "unacked_mutex")


def clear_broker() -> None:
    """Drop queued and unacknowledged tasks that an earlier or killed run left behind.

    Mailing ids start at 1 again in the recreated database, so a task left over from an
    earlier run would send the new mailing with more connections than asked for.
    """
    celery_app.control.purge()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*UNACKED_KEYS)


@contextmanager
def broker_cleared():
    """clear_broker() before and after: what the block leaves (killed tasks) goes too."""
    clear_broker()
    try:
        yield
    finally:
        clear_broker()


def _alive(pgid: int) -> list[int]:
    """Processes of the group that have not exited (orphaned zombies are not counted)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (the peak RSS) of a process, in kB, from /proc (no psutil here)."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0])
    return figures


class Workers:
    """A worker node; start() and kill() may alternate, stop() (or leaving `with`) ends it."""

    def __init__(self, concurrency: int, env: dict[str, str]):
        self.concurrency = concurrency
        self.env = {**os.environ, **env}
        self.process = None
        self.starts = 0

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout: float = 60) -> None:
        """Start a node and return once it answers a ping (its pool is forked by then)."""
        self.starts += 1
        name = f"bench{self.starts}@%h"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "--quiet", "-A", "innonet", "worker"),
                *(f"--concurrency={self.concurrency}", "--pool=prefork", f"--hostname={name}"),
                # Only this node runs: skip the start-up handshakes meant for clusters.
                *("--without-mingle", "--without-gossip", "--without-heartbeat"),
                "--loglevel=WARNING",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=sys.stderr,
            start_new_session=True,
        )
        node = name.replace("%h", os.uname().nodename)
        deadline = time.monotonic() + timeout
        while not celery_app.control.ping(destination=[node], timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise BenchError(f"celery worker {node} did not answer within {timeout} s")

    def peak_rss_mb(self) -> float:
        """The highest peak RSS (VmHWM) among the node's pool processes, which run the
        tasks (the main process only hands them out), in MB."""
        pgid = self.process.pid
        peaks = []
        for pid in _alive(pgid):
            if pid != pgid:
                with suppress(OSError):
                    peaks.append(memory_kb(pid)["VmHWM"])
        return max(peaks, default=0) / 1024

    def kill(self) -> None:
        """SIGKILL the whole process group and wait until none of it runs any more."""
        pgid = self.process.pid
        os.killpg(pgid, signal.SIGKILL)
        self.process.wait()
        while _alive(pgid):
            time.sleep(0.01)

    def stop(self, grace: float = 10) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL for whatever is left after `grace` seconds."""
        if self.process is None:
            return
        pgid = self.process.pid
        with suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while _alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pgid):
            self.kill()
        self.process.wait()
        self.process = None

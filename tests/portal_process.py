"""The portal as `make run` runs it, in processes of its own, for the end-to-end tests.

`python -m innonet.embedded run` starts the web server and a Celery worker with beat on
the folder broker, with the settings' embedded defaults, exactly as `make run` does. Only
what a test must control differs: the database (pytest's test database on the real
PostgreSQL, so that the test reads what the portal wrote), the folders (a temporary
one), and mail, which goes to the test's SMTP server so that the test can read it.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from urllib.request import urlopen

from tests.smtp import Recorder, free_port

ROOT = Path(__file__).resolve().parent.parent
READY_SECONDS = 90


def database_url(settings_dict: dict) -> str:
    user = quote(settings_dict["USER"] or "", safe="")
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


def clean_environment(**values) -> dict:
    """A machine with nothing configured (PATH, HOME, LANG) and `values`."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return {**base, **{k: str(v) for k, v in values.items()}}


@dataclass
class Portal:
    url: str
    log: Path
    env: dict  # what it runs with: `manage.py` in this environment reaches it
    mail: Recorder | None = None  # what the portal sent, when it sends to a test's server

    def output(self) -> str:
        """What the web server and the worker printed so far."""
        return self.log.read_text(errors="replace")


def _wait_until_ready(process: subprocess.Popen, portal: Portal) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The portal stopped ({process.returncode}):\n{portal.output()}")
        if " ready." in portal.output():  # the Celery worker's start-up line
            try:
                with urlopen(f"{portal.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.3)
    raise RuntimeError(f"The portal did not start in {READY_SECONDS} s:\n{portal.output()}")


@contextmanager
def running_portal(folder: Path, *, prepare: bool = False, **environment):
    """`python -m innonet.embedded run` on a free port, its output in folder/portal.log;
    stopped (the whole process group) on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_environment(
        EMBEDDED_DIR=folder / "embedded",
        MEDIA_ROOT=folder / "media",
        BACKUP_DIR=folder / "backups",
        SITE_URL=url,
        **environment,
    )
    portal = Portal(url=url, log=folder / "portal.log", env=env)
    command = [sys.executable, "-m", "innonet.embedded", "run", "--no-reload"]
    command += ["--port", str(port)] + ([] if prepare else ["--no-prepare"])
    with portal.log.open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait_until_ready(process, portal)
        yield portal
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """The launcher stops its children on SIGTERM; a test does not wait for a worker's
    warm shutdown longer than a few seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()

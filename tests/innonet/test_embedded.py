"""`make run` on a machine with nothing configured: PostgreSQL from the pgserver wheel,
migrations and demo data, the web server, and a worker that runs what the portal queues."""

import json
import subprocess
import sys
import time
from urllib.parse import quote
from urllib.request import urlopen

import psutil
import pytest

from accounts import demo
from innonet import embedded
from tests import browsing
from tests.portal_process import ROOT, running_portal


def test_the_settings_find_the_running_server_by_its_postmaster_pid(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "PGDATA", tmp_path)
    folder = quote(str(tmp_path), safe="")
    assert embedded.database_url() == f"postgres://postgres@:5432/innonet?host={folder}"
    (tmp_path / "postmaster.pid").write_text(
        f"4242\n{tmp_path}\n1796621025\n5433\n/run/short\n\n  2156758 9\nready\n"
    )
    assert embedded.database_url() == "postgres://postgres@:5433/innonet?host=%2Frun%2Fshort"


def postgres_serving(folder) -> list:
    return [
        process
        for process in psutil.process_iter(["name", "cmdline"])
        if process.info["name"] == "postgres"
        and str(folder) in " ".join(process.info["cmdline"] or [])
    ]


@pytest.mark.e2e
def test_make_run_serves_the_demo_and_its_worker_runs_what_is_queued(tmp_path, page, artifacts):
    folder = tmp_path / "run"
    with running_portal(folder, prepare=True) as portal:
        with urlopen(f"{portal.url}/healthz") as response:
            assert json.load(response)["checks"] == {"database": "ok", "broker": "ok"}
        assert postgres_serving(folder / "embedded" / "postgres")

        browsing.log_in(page, portal.url, demo.MEMBER, demo.DEMO_PASSWORD, next_url="/dashboard/")
        assert page.get_by_role("heading", name="公益財団法人石川県産業創出支援機構").is_visible()
        page.screenshot(path=artifacts / "make-run-dashboard.png", full_page=True)

        # Another terminal: a manage.py command reaches the same server and queues a
        # backup, which the worker makes with the embedded server's own pg_dump.
        queued = subprocess.run(
            [sys.executable, "-m", "innonet.embedded", "manage", "shell", "-c",
             "from portal.tasks import run_backup; run_backup.delay()"],
            cwd=ROOT, env=portal.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert queued.returncode == 0, queued.stderr
        backups = folder / "backups"
        deadline = time.monotonic() + 60
        while not list(backups.glob("innonet-*/manifest.json")):
            assert time.monotonic() < deadline, portal.output()
            time.sleep(0.5)
        assert "portal.tasks.run_backup" in portal.output()
    deadline = time.monotonic() + 30
    while postgres_serving(folder / "embedded" / "postgres"):
        assert time.monotonic() < deadline, "the embedded PostgreSQL outlived make run"
        time.sleep(0.5)

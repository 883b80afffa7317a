"""The embedded default behind `make run`: the portal with everything it needs and nothing
installed system-wide.

- PostgreSQL from the `pgserver` wheel, its data in `.local/postgres` (ignored by git),
  listening only on a Unix socket in that folder; started here, stopped when the last
  process that started it exits. A set DATABASE_URL replaces it.
- Celery through a folder broker (kombu's filesystem transport, `.local/broker`): a worker
  with beat runs beside the web server, so long work (a dues run, a mailing, an import)
  leaves the request at once and the progress pages show it moving, as in production.
- Mail on the console, the local-memory cache (the settings' defaults).

    python -m innonet.embedded run [--port 8000]    # what `make run` runs
    python -m innonet.embedded manage <command>     # any manage.py command against it

Settings read `database_url()` without starting anything, so `manage.py` in another
terminal reaches the server `make run` started. This module imports nothing from Django:
it runs before the settings can connect.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the embedded default keeps (database, broker messages, beat's schedule);
# EMBEDDED_DIR moves it, as the end-to-end tests do.
LOCAL = Path(os.environ.get("EMBEDDED_DIR", BASE_DIR / ".local"))
PGDATA = LOCAL / "postgres"
BROKER_FOLDER = LOCAL / "broker"
DATABASE = "innonet"


def database_url() -> str:
    """The embedded server's URL. PostgreSQL writes its port and socket folder into
    postmaster.pid (lines 4 and 5); before it has ever run, the folder it will use."""
    port, socket_dir = "5432", str(PGDATA)
    try:
        lines = (PGDATA / "postmaster.pid").read_text().splitlines()
        port, socket_dir = lines[3].strip(), lines[4].strip()
    except (FileNotFoundError, IndexError):
        pass
    return f"postgres://postgres@:{port}/{DATABASE}?host={quote(socket_dir, safe='')}"


def start_postgresql():
    """Starts (or joins) the embedded server and makes sure the portal's database exists."""
    # pgserver keeps its lock file in the user's runtime folder; where a login session gave
    # none (a container, CI), one inside the project rather than a warning and /tmp.
    runtime = LOCAL / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pgserver  # only here: production installs no embedded server

    server = pgserver.get_server(PGDATA, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE};")
    return server


def _environment() -> dict:
    """The children's environment: the embedded database unless DATABASE_URL is set, and
    the server's own client programs (pg_dump for `manage.py backup`) first on PATH."""
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if "DATABASE_URL" not in os.environ:
        start_postgresql()
        from pgserver._commands import POSTGRES_BIN_PATH

        env["DATABASE_URL"] = database_url()
        env["PATH"] = f"{POSTGRES_BIN_PATH}{os.pathsep}{env.get('PATH', '')}"
    return env


def _manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def run(port: int, *, prepare: bool, reload: bool) -> int:
    """Web server and worker (with beat) until either stops or we are asked to stop."""
    env = _environment()
    # Before the demo data: seeding queues work (the events' confirmations), which the
    # worker picks up once it starts.
    (BROKER_FOLDER / "control").mkdir(parents=True, exist_ok=True)
    if prepare:
        _manage("migrate", "--noinput", "-v0", env=env)
        _manage("seed_demo", env=env)
    worker = [
        *(sys.executable, "-m", "celery", "--app", "innonet", "worker", "--beat"),
        *("--concurrency", "2", "--loglevel", "INFO"),
        # One worker alone: nothing to gossip with, and it starts and stops at once.
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        *("--schedule", str(LOCAL / "celerybeat-schedule")),
    ]
    web = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]
    if not reload:
        web.append("--noreload")
    processes = [
        subprocess.Popen(worker, cwd=BASE_DIR, env=env),
        subprocess.Popen(web, cwd=BASE_DIR, env=env),
    ]

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(processes)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m innonet.embedded", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="the portal with demo data, worker and beat")
    run_parser.add_argument("--port", type=int, default=8000)
    run_parser.add_argument(
        "--no-prepare", action="store_true", help="skip migrate and seed_demo (the tests)"
    )
    run_parser.add_argument("--no-reload", action="store_true")
    manage_parser = commands.add_parser("manage", help="a manage.py command against it")
    manage_parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    if options.command == "manage":
        env = _environment()
        return subprocess.run(
            [sys.executable, "manage.py", *options.args], cwd=BASE_DIR, env=env
        ).returncode
    return run(options.port, prepare=not options.no_prepare, reload=not options.no_reload)


if __name__ == "__main__":
    sys.exit(main())

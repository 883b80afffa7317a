"""`manage.py` in a process of its own, as an operator runs it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, env: dict, inherit: bool = False) -> subprocess.CompletedProcess:
    """Runs `manage.py *args` with `env` on top of PATH, HOME and LANG only (a machine with
    nothing configured) or, with `inherit`, on top of this process's environment (the
    test database and broker)."""
    base = (
        dict(os.environ)
        if inherit
        else {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )

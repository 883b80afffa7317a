"""`python -m bench` (`make bench`), `python -m bench chaos` (`make chaos`) or
`python -m bench web` (`make bench-web`: the pages under load alone, bench/web.py).

Configures Django for the benchmark, then runs bench/run.py or bench/chaos.py.
STATIC_ROOT must be set before the settings are read: the bench runs with DEBUG=false, as in
production, where {% static %} needs the manifest that collectstatic writes. A temporary
directory keeps the collected files out of the project tree. SIGTERM ends the run like
Ctrl-C does, so that the Celery workers it started are stopped on the way out.
"""

import os
import signal
import sys
import tempfile


def main() -> int:
    args = sys.argv[1:]
    if args not in ([], ["chaos"], ["web"]):
        print("usage: python -m bench [chaos | web]", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="innonet-bench-static-") as static_root:
        os.environ["STATIC_ROOT"] = static_root
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innonet.settings")
        import django

        django.setup()
        from bench import chaos, run
        from bench.common import BenchError

        try:
            {"chaos": chaos.run, "web": run.run_web}.get(args[0] if args else "", run.run)()
        except BenchError as error:
            print(f"bench: FAILED: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

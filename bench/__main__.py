"""`python -m bench` (`make bench`: bench/run.py, bench/web.py, then bench/relay.py),
`python -m bench chaos` (`make chaos`), `python -m bench web` (`make bench-web`: the pages
under load alone), `python -m bench relay` (`make bench-relay`: the slow relay alone) or
`python -m bench events` (`make bench-events`: the events' concurrent registrations alone).

Configures Django for the benchmark, then runs the scenarios. STATIC_ROOT must be set before
the settings are read: the bench runs with DEBUG=false, as in production, where {% static %}
needs the manifest that collectstatic writes. A temporary directory keeps the collected
files, and what seed_demo writes to MEDIA_ROOT, out of the project tree. SIGTERM ends the
run like Ctrl-C does, so that the Celery workers it started are stopped on the way out.
"""

import os
import signal
import sys
import tempfile


def main() -> int:
    args = sys.argv[1:]
    if args not in ([], ["chaos"], ["web"], ["relay"], ["events"]):
        print("usage: python -m bench [chaos | web | relay | events]", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="innonet-bench-") as folder:
        os.environ["STATIC_ROOT"] = f"{folder}/static"
        os.environ["MEDIA_ROOT"] = f"{folder}/media"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innonet.settings")
        import django

        django.setup()
        from bench import chaos, relay, run, web
        from bench.common import BenchError

        scenarios = {
            "": [run.run, web.run, relay.run],
            "chaos": [chaos.run],
            "web": [web.run],
            "relay": [relay.run],
            "events": [run.run_events],
        }
        try:
            for scenario in scenarios[args[0] if args else ""]:
                scenario()
        except BenchError as error:
            print(f"bench: FAILED: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

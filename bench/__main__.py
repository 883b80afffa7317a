"""`python -m bench`: configure Django for the benchmark, then run it (see bench/run.py).

STATIC_ROOT must be set before the settings are read: the bench runs with DEBUG=false, as in
production, where {% static %} needs the manifest that collectstatic writes. A temporary
directory keeps the collected files out of the project tree.
"""

import os
import sys
import tempfile


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="innonet-bench-static-") as static_root:
        os.environ["STATIC_ROOT"] = static_root
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innonet.settings")
        import django

        django.setup()
        from bench.common import BenchError
        from bench.run import run

        try:
            run()
        except BenchError as error:
            print(f"bench: FAILED: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The Python half of `make audit` where pip-audit cannot run: PyPI's own vulnerability data
through the one endpoint a package index mirror may still serve, /pypi/<name>/json.

That endpoint describes a project's latest release, with the known vulnerabilities of that
release. So for a pin at the latest release this is the audit pip-audit makes (same data,
from PyPI); a pin behind it cannot be audited from here, only checked against what is
still open in the latest release. Prints one line per finding and, loudly, the pins it
could not audit. Exit status: 1 on a known vulnerability or a project PyPI does not know,
2 when some pins could not be audited (scripts/audit.sh decides what that means; PyPI not
reached at all is one such case), else 0.

    python scripts/pypi_audit.py requirements.lock requirements-dev.lock
"""

import json
import re
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")
INDEX = "https://pypi.org/pypi/{}/json"


def pins(paths: list[str]) -> dict[str, str]:
    found = {}
    for path in paths:
        with open(path, encoding="utf-8") as lock:
            for line in lock:
                match = PIN.match(line)
                if match:
                    found[match.group(1).lower()] = match.group(2)
    return found


def project(name: str) -> dict:
    with urllib.request.urlopen(INDEX.format(name), timeout=30) as response:
        return json.load(response)


def audit(name: str, pinned: str) -> tuple[list[str], str | None]:
    """(findings, latest release: None when PyPI could not tell)."""
    try:
        data = project(name)
    except urllib.error.HTTPError as error:
        return [f"ERROR {name}=={pinned}: PyPI answers {error.code}"], None
    except (urllib.error.URLError, TimeoutError):
        return [], None  # not reached: not audited
    # Known in the latest release, so in the pinned one too, unless it came in later.
    return [
        f"VULNERABLE {name}=={pinned}: {v['id']} "
        f"({', '.join(v.get('aliases') or []) or 'no alias'}), "
        f"fixed in {', '.join(v.get('fixed_in') or []) or 'no release yet'}: {v.get('link', '')}"
        for v in data.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ], data["info"]["version"]


def main(paths: list[str]) -> int:
    pinned = pins(paths)
    with ThreadPoolExecutor(8) as pool:
        results = dict(zip(pinned, pool.map(lambda n: audit(n, pinned[n]), pinned), strict=True))
    status = 0
    for findings, _latest in results.values():
        for finding in findings:
            print(finding)
            status = 1
    behind = {n: latest for n, (_, latest) in sorted(results.items()) if latest != pinned[n]}
    audited = len(pinned) - len(behind)
    print(f"PyPI audit: {audited} of {len(pinned)} pins audited (at the latest release).")
    if behind:
        listed = ", ".join(f"{n}=={pinned[n]} (latest {latest})" for n, latest in behind.items())
        print(
            f"NOT AUDITED ({len(behind)}): {listed}: PyPI's data for these releases "
            "(/pypi/<name>/<version>/json) does not answer from this network."
        )
        status = status or 2
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

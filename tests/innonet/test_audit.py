"""scripts/pypi_audit.py: the audit of the pins from PyPI's data for latest releases."""

import importlib.util
import urllib.error
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pypi_audit.py"


@pytest.fixture
def pypi_audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("pypi_audit", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    projects = {
        "fresh": {"info": {"version": "2.0"}, "vulnerabilities": []},
        "stale": {"info": {"version": "3.1"}, "vulnerabilities": []},
        "leaky": {
            "info": {"version": "1.4"},
            "vulnerabilities": [
                {"id": "PYSEC-1", "aliases": ["CVE-1"], "fixed_in": [], "link": "https://x"},
                {"id": "GHSA-old", "withdrawn": "2026-01-01"},
            ],
        },
    }

    def project(name):
        if name not in projects:
            raise urllib.error.HTTPError(name, 404, "Not Found", {}, None)
        return projects[name]

    monkeypatch.setattr(module, "project", project)
    return module


def lock(tmp_path, *lines) -> str:
    path = tmp_path / "requirements.lock"
    path.write_text(
        "# pip-compile\n" + "".join(f"{line} \\\n    --hash=sha256:00\n" for line in lines)
    )
    return str(path)


def test_pins_at_their_latest_release_pass(pypi_audit, tmp_path, capsys):
    assert pypi_audit.main([lock(tmp_path, "fresh==2.0")]) == 0
    assert "1 of 1 pins audited" in capsys.readouterr().out


def test_a_known_vulnerability_fails_and_is_named(pypi_audit, tmp_path, capsys):
    assert pypi_audit.main([lock(tmp_path, "fresh==2.0", "Leaky==1.4")]) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE leaky==1.4: PYSEC-1 (CVE-1), fixed in no release yet" in out
    assert "GHSA-old" not in out  # withdrawn


def test_a_pin_with_extras_is_audited_by_its_project(pypi_audit, tmp_path, capsys):
    """The locks keep extras on pinned lines (`celery[redis]==…`): such a pin is audited, not
    skipped without a word."""
    assert pypi_audit.main([lock(tmp_path, "fresh[extra]==2.0", "leaky[a,b]==1.4")]) == 1
    out = capsys.readouterr().out
    assert "2 of 2 pins audited" in out
    assert "VULNERABLE leaky==1.4" in out


def test_pins_behind_their_latest_release_are_named_as_not_audited(pypi_audit, tmp_path, capsys):
    assert pypi_audit.main([lock(tmp_path, "fresh==2.0", "stale==3.0")]) == 2
    out = capsys.readouterr().out
    assert "1 of 2 pins audited" in out
    assert "NOT AUDITED (1): stale==3.0 (latest 3.1)" in out


def test_a_project_pypi_does_not_know_fails(pypi_audit, tmp_path, capsys):
    assert pypi_audit.main([lock(tmp_path, "ghost==1.0")]) == 1
    assert "ERROR ghost==1.0: PyPI answers 404" in capsys.readouterr().out


def test_pypi_out_of_reach_audits_nothing_and_says_so(pypi_audit, tmp_path, monkeypatch, capsys):
    def unreachable(name):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(pypi_audit, "project", unreachable)
    assert pypi_audit.main([lock(tmp_path, "fresh==2.0")]) == 2
    assert "0 of 1 pins audited" in capsys.readouterr().out

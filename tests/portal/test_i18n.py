import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_japanese_by_default_whatever_the_browser_asks(client):
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert response["Content-Language"] == "ja"
    assert '<html lang="ja">' in body
    assert "ログイン" in body


def test_language_switch_persists_across_pages(client, member):
    client.force_login(member)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("portal:dashboard")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")

    for url in (reverse("portal:dashboard"), reverse("members:organisation")):
        response = client.get(url)
        body = response.content.decode()
        assert '<html lang="en">' in body
        assert "Log out" in body

    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    assert "ログアウト" in client.get(reverse("portal:dashboard")).content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", ["ダッシュボード", "会員区分", "北陸", "石川県", "本文へスキップ"]),
        ("en", ["Dashboard", "Membership class", "Hokuriku", "Ishikawa", "Skip to main content"]),
    ],
)
def test_a_page_renders_in_both_languages(client, member, language, expected):
    client.force_login(member)
    client.cookies["django_language"] = language
    body = client.get(reverse("portal:dashboard")).content.decode()
    for text in expected:
        assert text in body


def test_unknown_language_cookie_falls_back_to_japanese(client):
    client.cookies["django_language"] = "xx"
    assert '<html lang="ja">' in client.get(reverse("portal:home")).content.decode()


# What `make catalogues` leaves out of the sources (see the Makefile).
NOT_SOURCES = (".git", ".venv", "node_modules", "tests", "bench", "staticfiles", "media",
               "backups", "artifacts", "locale", "*.mo", "*.pyc", "__pycache__")  # fmt: skip


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory):
    """The committed catalogues merged with the strings in the sources as they are now.

    Run on a copy of the project, so that a string added without `make catalogues` shows up
    as untranslated here instead of going unnoticed.
    """
    root = Path(__file__).resolve().parents[2]
    copy = tmp_path_factory.mktemp("project") / "portal"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(*NOT_SOURCES), symlinks=True)
    shutil.copytree(root / "locale", copy / "locale", ignore=shutil.ignore_patterns("*.mo"))
    ignores = [f"--ignore={name}" for name in NOT_SOURCES if not name.startswith("*")]
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "-l", "en", "--no-obsolete",
         "-v0", *ignores],
        cwd=copy, check=True, capture_output=True,
    )  # fmt: skip
    return copy / "locale"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_string_is_translated(catalogues, language):
    """Every msgid in the sources has a translation in both languages, none left fuzzy."""
    po = catalogues / language / "LC_MESSAGES" / "django.po"
    for flag in ("--untranslated", "--only-fuzzy"):
        leftover = subprocess.run(
            ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(po)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        msgids = re.findall(r'^msgid "(.+)"$', leftover, flags=re.MULTILINE)
        assert msgids == [], f"{language} {flag} (run `make catalogues` and translate): {msgids}"


def test_the_english_catalogue_is_the_source_text():
    """English is the source language: an English entry that differs from its msgid is a
    fuzzy guess that slipped through (e.g. "units exception" for "exception")."""
    po = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"
    entries = subprocess.run(
        ["msgcat", "--no-wrap", str(po)], capture_output=True, text=True, check=True
    ).stdout.split("\n\n")
    differing = []
    for entry in entries[1:]:  # the header first
        msgid = re.search(r'^msgid "(.*)"$', entry, flags=re.MULTILINE)
        plural = re.search(r'^msgid_plural "(.*)"$', entry, flags=re.MULTILINE)
        found = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', entry, flags=re.MULTILINE)
        expected = [msgid.group(1)] + ([plural.group(1)] if plural else [])
        if msgid and found != expected:
            differing.append((msgid.group(1), found))
    assert differing == []

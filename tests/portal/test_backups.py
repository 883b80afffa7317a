"""Backups: a real pg_dump restored into a new PostgreSQL database, and the uploaded files."""

import io
import json
import os
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from members.models import Organisation
from portal import backups
from portal.tasks import run_backup
from tests import factories
from tests.processes import manage

TABLES = [
    "members_organisation",
    "members_person",
    "members_membership",
    "members_membershipclass",
    "accounts_user",
    "django_migrations",
]


def write_media(root: Path) -> dict[str, bytes]:
    files = {
        "awards/attachments/3f/9a0c2e.pdf": os.urandom(70_000),
        "members/invoices/2026/請求書-0001.pdf": b"%PDF-1.7\n" + os.urandom(5_000),
        "demo/empty.txt": b"",
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def read_tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def server_conninfo(dbname: str) -> dict:
    params = connection.settings_dict
    info = {"dbname": dbname, "user": params["USER"] or "postgres", "autocommit": True}
    if params["HOST"]:
        info["host"] = params["HOST"]
    if params["PORT"]:
        info["port"] = params["PORT"]
    if params["PASSWORD"]:
        info["password"] = params["PASSWORD"]
    return info


@pytest.fixture
def empty_database():
    """A new, empty database on the test server; dropped after."""
    name = f"innonet_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**server_conninfo("postgres")) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(**server_conninfo("postgres")) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(dbname: str) -> str:
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    return f"postgres://{params['USER'] or 'postgres'}{password}@{host}:{port}/{dbname}"


@pytest.fixture
def dirs(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT.mkdir()
    return settings


def counts(cursor) -> dict[str, int]:
    found = {}
    for table in TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}")
        found[table] = cursor.fetchone()[0]
    return found


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database_with_the_same_data_and_files(
    dirs, tmp_path, empty_database
):
    isico = factories.make_organisation("公益財団法人石川県産業創出支援機構", short_name="ISICO")
    astem = factories.make_organisation("公益財団法人京都高度技術研究所", short_name="ASTEM")
    factories.make_person(isico, family_name="北陸", given_name="太郎", email="taro@example.jp")
    factories.make_person(astem, email="kyoto@example.jp")
    factories.make_user("office@example.jp", is_staff=True)
    files = write_media(dirs.MEDIA_ROOT)
    with connection.cursor() as cursor:
        before = counts(cursor)
    assert before["members_organisation"] == 2
    assert before["members_person"] == 2

    call_command("backup", stdout=io.StringIO())

    (backup,) = backups.list_sets()
    manifest = json.loads((backup.path / "manifest.json").read_text())
    assert manifest["database"]["engine"] == "postgresql"
    assert manifest["media"]["files"] == 3
    for part in ("database", "media"):
        stored = backup.path / manifest[part]["file"]
        assert manifest[part]["size"] == stored.stat().st_size > 0
        assert manifest[part]["sha256"] == backups._sha256(stored)
    assert (backup.path / "database.dump").read_bytes()[:5] == b"PGDMP"  # custom format

    restored_media = tmp_path / "restored-media"
    # As the operator does it: another process, configured for the new database.
    into_new = {
        "DATABASE_URL": database_url(empty_database),
        "MEDIA_ROOT": str(restored_media),
        "BACKUP_DIR": str(dirs.BACKUP_DIR),
    }
    result = manage("restore", backup.name, env=into_new, inherit=True)
    assert result.returncode == 0, result.stderr
    assert f"Restored {backup.name}." in result.stdout

    with psycopg.connect(**server_conninfo(empty_database)) as restored:
        cursor = restored.cursor()
        assert counts(cursor) == before
        cursor.execute(
            "SELECT o.name, o.short_name, p.family_name, p.given_name, p.email "
            "FROM members_person p JOIN members_organisation o ON o.id = p.organisation_id "
            "WHERE p.email = 'taro@example.jp'"
        )
        assert cursor.fetchone() == (
            "公益財団法人石川県産業創出支援機構",
            "ISICO",
            "北陸",
            "太郎",
            "taro@example.jp",
        )
        cursor.execute("SELECT is_staff FROM accounts_user WHERE email = 'office@example.jp'")
        assert cursor.fetchone() == (True,)
        cursor.execute("SELECT id FROM members_organisation ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == sorted([isico.pk, astem.pk])
    assert read_tree(restored_media) == files

    # The restored database works through Django: its migrations are all applied.
    result = manage("migrate", "--check", env=into_new, inherit=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # A second restore into the now full database is refused.
    result = manage("restore", backup.name, "--no-media", env=into_new, inherit=True)
    assert result.returncode != 0
    assert "is not empty" in result.stderr


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(dirs):
    factories.make_organisation()
    backup_dir = dirs.BACKUP_DIR / "innonet-20260401-030000"
    backup_dir.mkdir(parents=True)
    dump = backup_dir / "database.dump"
    dump.write_bytes(b"PGDMP")
    media = backup_dir / "media.tar.gz"
    with tarfile.open(media, "w:gz"):
        pass
    manifest = {
        "created_at": "2026-04-01T03:00:00+09:00",
        "database": backups._file_entry(dump, engine="postgresql"),
        "media": backups._file_entry(media, files=0),
    }
    (backup_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", backup_dir.name)
    assert Organisation.objects.count() == 1


def test_the_password_goes_in_the_environment_never_on_the_command_line():
    params = {
        "NAME": "innonet",
        "USER": "innonet",
        "PASSWORD": "s3cret-pw",
        "HOST": "db",
        "PORT": "5432",
        "OPTIONS": {"sslmode": "require"},
    }
    args, env = backups._pg_command("pg_dump", params)
    assert "s3cret-pw" not in " ".join(args)
    assert args[:7] == ["pg_dump", "--host", "db", "--port", "5432", "--username", "innonet"]
    assert env["PGPASSWORD"] == "s3cret-pw"
    assert env["PGSSLMODE"] == "require"


def make_set(directory: Path, name: str, created_at: str, members=None) -> Path:
    """A complete set with a stand-in dump and a media archive of `members` (TarInfo, bytes)."""
    path = directory / name
    path.mkdir(parents=True)
    database = path / "database.dump"
    database.write_bytes(b"PGDMP stand-in")
    media = path / "media.tar.gz"
    with tarfile.open(media, "w:gz") as tar:
        for info, content in members or []:
            tar.addfile(info, io.BytesIO(content) if content is not None else None)
    manifest = {
        "format": 1,
        "name": name,
        "created_at": created_at,
        "database": backups._file_entry(database, engine="postgresql"),
        "media": backups._file_entry(media, files=len(members or [])),
    }
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def test_only_the_newest_sets_are_kept(tmp_path):
    for day in range(1, 5):
        make_set(tmp_path, f"innonet-2026040{day}-030000", f"2026-04-0{day}T03:00:00+09:00")
    (tmp_path / ".innonet-20260405-030000.partial").mkdir()  # a backup being written
    (tmp_path / "notes").mkdir()
    deleted = backups.prune(tmp_path, keep=2)
    assert deleted == ["innonet-20260401-030000", "innonet-20260402-030000"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".innonet-20260405-030000.partial",
        "innonet-20260403-030000",
        "innonet-20260404-030000",
        "notes",
    ]


def file_member(name: str, content: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    return info, content


def link_member(name: str, target: str, kind=tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


@pytest.mark.parametrize(
    "evil",
    [
        file_member("../outside.txt", b"x"),
        file_member("/tmp/absolute.txt", b"x"),
        file_member("a/../../outside.txt", b"x"),
        link_member("passwd", "/etc/passwd"),
        link_member("up", "../../etc/passwd"),
        link_member("hard", "/etc/passwd", tarfile.LNKTYPE),
    ],
    ids=["dotdot", "absolute", "nested-dotdot", "symlink-abs", "symlink-up", "hardlink"],
)
def test_restore_refuses_archive_members_outside_media_root(tmp_path, settings, evil):
    settings.MEDIA_ROOT = tmp_path / "media"
    members = [file_member("fine/first.txt", b"first"), evil]
    backup = make_set(tmp_path / "sets", "innonet-20260401-030000", "2026-04-01", members)
    with pytest.raises(CommandError, match="refused member"):
        call_command("restore", str(backup), "--no-database")
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*"))
    assert not (tmp_path / "outside.txt").exists()


def test_restore_refuses_a_set_whose_files_do_not_match_the_manifest(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    backup = make_set(tmp_path, "innonet-20260401-030000", "2026-04-01", [])
    with (backup / "media.tar.gz").open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(backup), "--no-database")


def test_restore_writes_the_files_into_media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    members = [
        file_member("awards/x.pdf", b"%PDF x"),
        file_member("添付/資料.txt", "内容".encode()),
    ]
    backup = make_set(tmp_path, "innonet-20260401-030000", "2026-04-01", members)
    call_command("restore", str(backup), "--no-database", stdout=io.StringIO())
    assert read_tree(tmp_path / "media") == {
        "awards/x.pdf": b"%PDF x",
        "添付/資料.txt": "内容".encode(),
    }
    # Not over files already there, unless forced.
    with pytest.raises(CommandError, match=r"MEDIA_ROOT .* is not empty"):
        call_command("restore", str(backup), "--no-database")
    call_command("restore", str(backup), "--no-database", "--force", stdout=io.StringIO())


def test_a_backup_inside_media_root_is_not_archived_into_itself(tmp_path):
    media = tmp_path / "media"
    (media / "backups" / "old").mkdir(parents=True)
    (media / "backups" / "old" / "database.dump").write_bytes(b"big")
    (media / "upload.pdf").write_bytes(b"pdf")
    archive = tmp_path / "media.tar.gz"
    assert backups.archive_media(media, archive, exclude=media / "backups") == 1
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["upload.pdf"]


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_task_backs_up_once_however_often_it_runs(dirs):
    (dirs.MEDIA_ROOT / "a.txt").write_bytes(b"a")
    first = run_backup.delay().get()
    assert first is not None
    assert run_backup.delay().get() is None  # a doubled beat message or a redelivery
    assert [s.name for s in backups.list_sets()] == [first]
    assert not [p for p in Path(dirs.BACKUP_DIR).iterdir() if p.name.endswith(".partial")]


def test_the_beat_runs_the_backup_at_three_in_the_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["backup"]
    assert entry["task"] == "portal.tasks.run_backup"
    assert entry["schedule"].hour == {3}
    assert entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"

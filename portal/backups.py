"""Backups of the database and the uploaded files, and their restore.

A backup is one folder in BACKUP_DIR, named for its time (`innonet-20250401-030000`):

- `database.dump`: `pg_dump --format=custom` of the configured PostgreSQL database;
- `media.tar.gz`: everything under MEDIA_ROOT (the uploaded files);
- `manifest.json`: when, what, and the size and SHA-256 of each file.

A set is written under a hidden name and renamed when complete, so a folder with a
manifest is always whole. The newest BACKUP_KEEP sets are kept, older ones deleted.
`restore` checks the manifest's checksums, refuses a database or MEDIA_ROOT that is not
empty unless forced, and refuses any archive member that would land outside MEDIA_ROOT.
The commands `backup` and `restore` and the task `portal.tasks.run_backup` call these.
"""

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
SET_PATTERN = re.compile(r"innonet-\d{8}-\d{6}(-\d+)?")
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class BackupSet:
    path: Path
    manifest: dict

    @property
    def name(self) -> str:
        return self.path.name


# --- Helpers -----------------------------------------------------------------


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_entry(path: Path, **extra) -> dict:
    return {"file": path.name, "size": path.stat().st_size, "sha256": _sha256(path), **extra}


def _pg_command(program: str, settings_dict: dict) -> tuple[list[str], dict]:
    """The program with the connection's host, port and user, and an environment holding
    the password (PGPASSWORD) and SSL options: the password is never on the command line."""
    from django.db.backends.postgresql.client import DatabaseClient

    _args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    options = settings_dict.get("OPTIONS", {})
    args = [program]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    user = settings_dict.get("USER") or options.get("user")
    if user:
        args += ["--username", str(user)]
    args.append("--no-password")  # never wait for a prompt: PGPASSWORD or .pgpass
    return args, {**os.environ, **(env or {})}


def _run(args: list[str], env: dict) -> None:
    logger.info("Running %s", " ".join(args))
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            f"{args[0]} is not installed (Debian: apt-get install postgresql-client)."
        ) from exc
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


# --- Backup ------------------------------------------------------------------


def dump_postgresql(settings_dict: dict, target: Path) -> None:
    args, env = _pg_command("pg_dump", settings_dict)
    args += ["--format=custom", "--file", str(target), settings_dict["NAME"]]
    _run(args, env)


def archive_media(media_root: Path, target: Path, exclude: Path | None = None) -> int:
    """MEDIA_ROOT's files as a tar.gz with relative names; returns the number of files.
    Symbolic links are left out (uploads are never links), and so is `exclude` (a backup
    folder inside MEDIA_ROOT)."""
    count = 0
    with tarfile.open(target, "w:gz") as tar:
        if not media_root.exists():
            return 0
        for folder, dirnames, filenames in os.walk(media_root):
            folder_path = Path(folder)
            dirnames[:] = sorted(
                name
                for name in dirnames
                if not (folder_path / name).is_symlink()
                and not (exclude and _inside(folder_path / name, exclude))
            )
            for name in sorted(filenames):
                path = folder_path / name
                if path.is_symlink() or not path.is_file():
                    logger.warning("Backup leaves out %s (not a regular file)", path)
                    continue
                tar.add(path, arcname=path.relative_to(media_root).as_posix(), recursive=False)
                count += 1
    return count


def _new_set_name(directory: Path, now) -> str:
    base = f"innonet-{timezone.localtime(now):%Y%m%d-%H%M%S}"
    name, n = base, 1
    while (directory / name).exists() or (directory / f".{name}.partial").exists():
        n += 1
        name = f"{base}-{n}"
    return name


def list_sets(directory: Path | None = None) -> list[BackupSet]:
    """The complete sets in the folder, oldest first."""
    directory = directory or backup_dir()
    if not directory.is_dir():
        return []
    sets = []
    for path in sorted(directory.iterdir()):
        manifest = path / MANIFEST
        if path.is_dir() and SET_PATTERN.fullmatch(path.name) and manifest.is_file():
            try:
                sets.append(BackupSet(path, json.loads(manifest.read_text())))
            except ValueError:
                logger.warning("Backup %s has an unreadable manifest", path)
    return sorted(sets, key=lambda s: (s.manifest.get("created_at", ""), s.name))


def prune(directory: Path | None = None, keep: int | None = None) -> list[str]:
    """Deletes all but the newest `keep` complete sets; returns the names deleted."""
    keep = settings.BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError("BACKUP_KEEP must be at least 1.")
    sets = list_sets(directory)
    deleted = []
    for old in sets[: max(len(sets) - keep, 0)]:
        shutil.rmtree(old.path)
        deleted.append(old.name)
        logger.info("Deleted old backup %s", old.name)
    return deleted


def create_backup(
    *, directory: Path | None = None, keep: int | None = None, database: str = "default"
) -> BackupSet:
    """Writes one complete set and prunes the old ones. Raises BackupError."""
    directory = directory or backup_dir()
    directory.mkdir(parents=True, exist_ok=True)
    settings_dict = connections[database].settings_dict
    now = timezone.now()
    name = _new_set_name(directory, now)
    partial = directory / f".{name}.partial"
    partial.mkdir()
    try:
        dump = partial / PG_DUMP_FILE
        dump_postgresql(settings_dict, dump)
        media_root = Path(settings.MEDIA_ROOT)
        media = partial / MEDIA_FILE
        files = archive_media(media_root, media, exclude=directory)
        manifest = {
            "format": FORMAT_VERSION,
            "name": name,
            "created_at": timezone.localtime(now).isoformat(),
            "database": _file_entry(dump, engine="postgresql", name=str(settings_dict["NAME"])),
            "media": _file_entry(media, files=files),
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        final = directory / name
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    logger.info(
        "Backup %s written: database %d bytes, media %d files (%d bytes)",
        name,
        manifest["database"]["size"],
        files,
        manifest["media"]["size"],
    )
    prune(directory, keep)
    return BackupSet(final, manifest)


def backup_if_due(min_age: timedelta = timedelta(hours=1), **kwargs) -> BackupSet | None:
    """The scheduled backup: nothing when a set younger than `min_age` exists already (a
    redelivered or doubled beat message), else `create_backup`."""
    sets = list_sets(kwargs.get("directory"))
    if sets:
        try:
            newest = datetime.fromisoformat(sets[-1].manifest["created_at"])
        except (KeyError, TypeError, ValueError):
            newest = None
        if newest is not None and timezone.now() - newest < min_age:
            logger.info("Backup %s is recent: no new backup", sets[-1].name)
            return None
    return create_backup(**kwargs)


# --- Restore -----------------------------------------------------------------


def find_set(name_or_path: str, directory: Path | None = None) -> BackupSet:
    path = Path(name_or_path)
    if not path.is_absolute() and not path.exists():
        path = (directory or backup_dir()) / name_or_path
    manifest = path / MANIFEST
    if not manifest.is_file():
        raise BackupError(f"No backup at {path} (no {MANIFEST}).")
    try:
        return BackupSet(path, json.loads(manifest.read_text()))
    except ValueError as exc:
        raise BackupError(f"{manifest} is not valid JSON.") from exc


def verify(backup: BackupSet) -> None:
    """Every file listed in the manifest is there with its size and checksum."""
    for part in ("database", "media"):
        entry = backup.manifest.get(part) or {}
        path = backup.path / Path(entry.get("file", "")).name
        if not entry.get("file") or not path.is_file():
            raise BackupError(f"{backup.name}: the {part} file is missing.")
        if path.stat().st_size != entry.get("size") or _sha256(path) != entry.get("sha256"):
            raise BackupError(f"{backup.name}: {path.name} does not match its checksum.")


def database_is_empty(database: str = "default") -> bool:
    with connections[database].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%%'"
        )
        return cursor.fetchone()[0] == 0


def media_is_empty(media_root: Path) -> bool:
    return not media_root.exists() or not any(media_root.iterdir())


def check_media_archive(archive: Path, media_root: Path) -> int:
    """Every member passes tarfile's 'data' filter (no absolute paths, no '..', no links
    leading out, no devices); returns the number of members. Raises BackupError otherwise,
    before anything is extracted."""
    destination = str(media_root.resolve())
    count = 0
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            try:
                if member.name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", member.name):
                    # The filter would strip the slash; our archives never have one.
                    raise tarfile.AbsolutePathError(member)
                tarfile.data_filter(member, destination)
            except tarfile.FilterError as exc:
                raise BackupError(
                    f"{archive.name}: refused member {member.name!r}: {exc}"
                ) from exc
            count += 1
    return count


def restore_media(archive: Path, media_root: Path) -> int:
    count = check_media_archive(archive, media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(media_root, filter="data")
    return count


def restore_postgresql(settings_dict: dict, dump: Path, *, clean: bool) -> None:
    args, env = _pg_command("pg_restore", settings_dict)
    args += ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        args += ["--clean", "--if-exists"]
    args += ["--dbname", settings_dict["NAME"], str(dump)]
    _run(args, env)


def restore_backup(
    name_or_path: str,
    *,
    force: bool = False,
    database: str = "default",
    restore_database: bool = True,
    restore_files: bool = True,
    directory: Path | None = None,
) -> BackupSet:
    """Restores a set into the configured database and MEDIA_ROOT. Both must be empty
    unless `force` (then the dump's objects replace the existing ones and its files are
    written over MEDIA_ROOT). Everything is checked before anything is written."""
    backup = find_set(name_or_path, directory)
    verify(backup)
    connection = connections[database]
    settings_dict = connection.settings_dict
    media_root = Path(settings.MEDIA_ROOT)
    db_entry, media_entry = backup.manifest["database"], backup.manifest["media"]
    if restore_database and db_entry.get("engine") != "postgresql":
        raise BackupError(
            f"{backup.name} holds a {db_entry.get('engine')} database; the portal restores "
            "only PostgreSQL dumps."
        )
    if restore_database and not force and not database_is_empty(database):
        raise BackupError(
            f"The database {settings_dict['NAME']} is not empty: restore into a new, empty "
            "database, or use --force to replace its contents."
        )
    if restore_files:
        if not force and not media_is_empty(media_root):
            raise BackupError(
                f"MEDIA_ROOT ({media_root}) is not empty: use --force to write over it."
            )
        check_media_archive(backup.path / media_entry["file"], media_root)
    if restore_database:
        connection.close()
        dump = backup.path / db_entry["file"]
        restore_postgresql(settings_dict, dump, clean=force)
        logger.info("Database restored from %s", backup.name)
    if restore_files:
        count = restore_media(backup.path / media_entry["file"], media_root)
        logger.info("%d files restored into %s from %s", count, media_root, backup.name)
    return backup

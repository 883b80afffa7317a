from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import backups


class Command(BaseCommand):
    help = (
        "Write a backup set (database dump, uploaded files, manifest) into BACKUP_DIR and "
        "keep the newest BACKUP_KEEP sets. See docs/runbook.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Folder for the set (default BACKUP_DIR).")
        parser.add_argument(
            "--keep", type=int, help="Sets to keep, this one included (default BACKUP_KEEP)."
        )
        parser.add_argument("--database", default="default", help="Database alias.")
        parser.add_argument(
            "--list", action="store_true", help="List the complete sets and write nothing."
        )

    def handle(self, *args, **options):
        directory = options["dir"] or Path(settings.BACKUP_DIR)
        if options["list"]:
            for backup in backups.list_sets(directory):
                db, media = backup.manifest["database"], backup.manifest["media"]
                self.stdout.write(
                    f"{backup.name}  {backup.manifest.get('created_at', '')}  "
                    f"database {db['size']} bytes  media {media.get('files', '?')} files "
                    f"({media['size']} bytes)"
                )
            return
        try:
            backup = backups.create_backup(
                directory=directory, keep=options["keep"], database=options["database"]
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written: {backup.path}"))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal import backups


class Command(BaseCommand):
    help = (
        "Restore a backup set (a name in BACKUP_DIR or a folder) into the configured, empty "
        "database and MEDIA_ROOT. See docs/runbook.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("set", help="Set name (innonet-YYYYMMDD-HHMMSS) or its folder.")
        parser.add_argument("--dir", type=Path, help="Folder of the sets (default BACKUP_DIR).")
        parser.add_argument("--database", default="default", help="Database alias.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore over a database or MEDIA_ROOT that is not empty.",
        )
        parser.add_argument("--no-database", action="store_true", help="Only the files.")
        parser.add_argument("--no-media", action="store_true", help="Only the database.")

    def handle(self, *args, **options):
        if options["no_database"] and options["no_media"]:
            raise CommandError("Nothing to restore: --no-database and --no-media together.")
        try:
            backup = backups.restore_backup(
                options["set"],
                force=options["force"],
                database=options["database"],
                restore_database=not options["no_database"],
                restore_files=not options["no_media"],
                directory=options["dir"],
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored {backup.name}."))
        if not options["no_database"]:
            self.stdout.write(
                "Next: `python manage.py migrate` (if the code is newer than the backup), "
                "then restart web, worker and beat."
            )

from celery import shared_task

from . import backups


@shared_task(acks_late=False)
def run_backup() -> str | None:
    """The nightly backup (beat `backup`). A second run within the hour does nothing."""
    backup = backups.backup_if_due()
    return backup.name if backup else None

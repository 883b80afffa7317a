from celery import shared_task

from . import imports, mail, services


@shared_task(acks_late=True)
def run_dues(run_id: int) -> None:
    services.execute_dues_run(run_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invoice_notice(invoice_id: int) -> None:
    mail.send_invoice_notice(invoice_id)


@shared_task
def send_dues_reminders() -> int:
    return mail.send_dues_reminders()


@shared_task(acks_late=True)
def import_organisations(import_id: int) -> None:
    imports.run(import_id)

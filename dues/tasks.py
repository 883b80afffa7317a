from celery import shared_task

from . import mail, services


@shared_task(acks_late=True)
def run_dues(run_id: int) -> None:
    services.execute_dues_run(run_id)


@shared_task
def notify_invoices(invoice_ids: list[int]) -> int:
    return mail.notify_invoices(invoice_ids)


@shared_task
def send_dues_reminders() -> int:
    return mail.send_dues_reminders()

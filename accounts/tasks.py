from celery import shared_task

from . import mail


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    mail.send_invitation(invitation_id)

from celery import shared_task

from . import mail


@shared_task
def invite(survey_id: int, classes=None, blocks=None, roles=None) -> int:
    return mail.invite(survey_id, classes=classes, blocks=blocks, roles=roles)


@shared_task
def send_reminders() -> int:
    return mail.send_all_reminders()


@shared_task
def remind(survey_id: int) -> int:
    return mail.send_reminders(survey_id)

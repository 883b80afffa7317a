from celery import shared_task

from . import mail, services


@shared_task
def remind(assembly_id: int, user_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return mail.send_reminders(assembly_id, user)


@shared_task
def freeze_due_rolls() -> int:
    return services.freeze_due_rolls()

from celery import shared_task

from . import attendance, billing, feedback, mail, services


@shared_task
def send_reminders() -> int:
    return mail.send_reminders()


@shared_task
def expire_offers() -> int:
    return services.expire_offers()


@shared_task(acks_late=True)
def issue_fee_invoices(event_id: int) -> list[int]:
    return billing.issue_fee_invoices(event_id)


@shared_task(acks_late=True)
def issue_certificates(event_id: int) -> int:
    return attendance.issue_certificates(event_id)


@shared_task(acks_late=True)
def send_feedback_survey(event_id: int) -> int:
    return feedback.invite_attendees(event_id)

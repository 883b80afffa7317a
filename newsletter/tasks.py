from celery import shared_task

from . import engine


@shared_task(acks_late=True)
def dispatch(mailing_id: int) -> None:
    engine.dispatch(mailing_id)


@shared_task
def resume_mailings() -> int:
    return engine.resume_stalled()

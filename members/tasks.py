from celery import shared_task

from . import imports


@shared_task(acks_late=True)
def import_organisations(import_id: int) -> None:
    imports.run(import_id)

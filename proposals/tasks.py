from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task
def make_version(proposal_id: int, user_id: int, note: str = "") -> int:
    """Render and store the proposal's next version (.docx and PDF) outside the request:
    the admin's action queues it once its transaction has committed."""
    from . import compiling

    user = get_user_model().objects.get(pk=user_id)
    return compiling.make_version(proposal_id, user, note).number

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.mail import portal_url, send_templated

from . import engine
from .models import Mailing


@shared_task(acks_late=True)
def dispatch(mailing_id: int) -> None:
    engine.dispatch(mailing_id)


@shared_task
def resume_mailings() -> int:
    return engine.resume_stalled()


@shared_task
def notify_paused(mailing_id: int) -> None:
    """Tell the secretariat that a mailing stopped itself after failures in a row."""
    mailing = Mailing.objects.get(pk=mailing_id)
    url = portal_url(reverse("admin:outbox_mailing_change", args=[mailing_id]))
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    for email in staff.values_list("email", flat=True) or [settings.SERVER_EMAIL]:
        send_templated("outbox/email/paused", {"mailing": mailing, "url": url}, email)

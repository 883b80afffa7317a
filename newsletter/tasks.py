from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.mail import portal_url, send_templated

from . import engine, rendering, services
from .models import Issue, Mailing


@shared_task(acks_late=True)
def dispatch(mailing_id: int) -> None:
    engine.dispatch(mailing_id)


@shared_task
def resume_mailings() -> int:
    return engine.resume_stalled()


@shared_task
def start_issue(issue_id: int) -> bool:
    return services.start_sending(issue_id)


@shared_task
def start_due_issues() -> int:
    return services.start_due_issues()


@shared_task
def send_test(issue_id: int, user_id: int) -> None:
    """The draft as it stands, to the author who asked; marks the issue as test-sent."""
    issue = Issue.objects.select_related("masthead").get(pk=issue_id)
    user = get_user_model().objects.get(pk=user_id)
    rendering.render_test(issue, user.email, user.get_full_name()).send()
    services.mark_test_sent(issue_id)


@shared_task
def send_confirmation(email: str, token: str) -> None:
    url = portal_url(reverse("newsletter:confirm", args=[token]))
    send_templated("newsletter/email/confirm", {"url": url}, email)


@shared_task
def notify_paused(mailing_id: int) -> None:
    """Tell the secretariat that a mailing stopped itself after failures in a row."""
    mailing = Mailing.objects.get(pk=mailing_id)
    url = portal_url(reverse("admin:newsletter_mailing_change", args=[mailing_id]))
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    for email in staff.values_list("email", flat=True) or [settings.SERVER_EMAIL]:
        send_templated("newsletter/email/paused", {"mailing": mailing, "url": url}, email)

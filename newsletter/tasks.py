from celery import shared_task
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.mail import portal_url, send_templated

from . import rendering, services
from .models import Issue


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

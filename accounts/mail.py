from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation
from .services import token_for


def send_invitation(invitation_id: int) -> None:
    """Mail the invitation link once; a repeated call after success sends nothing."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("person__organisation")
            .filter(pk=invitation_id, sent_at__isnull=True, accepted_at__isnull=True)
            .first()
        )
        if invitation is None:
            return
        url = settings.SITE_URL + reverse("accounts:invitation", args=[token_for(invitation)])
        with translation.override(settings.LANGUAGE_CODE):
            context = {"invitation": invitation, "url": url, "site_url": settings.SITE_URL}
            subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
            body = render_to_string("accounts/email/invitation_message.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])

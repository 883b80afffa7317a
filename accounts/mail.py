from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.mail import portal_url, send_templated

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
        url = portal_url(reverse("accounts:invitation", args=[token_for(invitation)]))
        send_templated(
            "accounts/email/invitation", {"invitation": invitation, "url": url}, invitation.email
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])

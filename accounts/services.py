"""Invitations: the only way a member contact gets an account."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from . import privacy
from .models import Invitation

_SALT = "accounts.invitation"


class InvitationUnusable(Exception):
    """The link is unknown, already used or expired."""


def invite(person, *, invited_by=None) -> Invitation:
    """Create an invitation for `person` and mail it once the transaction commits."""
    from .tasks import send_invitation

    if not person.email:
        raise ValueError("The person has no email address to invite.")
    invitation = Invitation.objects.create(
        person=person,
        email=person.email.lower(),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    transaction.on_commit(lambda: send_invitation.delay(invitation.pk))
    return invitation


def token_for(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation:
    """The usable invitation the token names; raises InvitationUnusable otherwise."""
    try:
        pk, nonce = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvitationUnusable from exc
    invitation = (
        Invitation.objects.usable().select_related("person__organisation").filter(pk=pk).first()
    )
    if invitation is None or not constant_time_compare(invitation.nonce, nonce):
        raise InvitationUnusable
    return invitation


@transaction.atomic
def accept(invitation: Invitation, *, password: str | None = None, user=None):
    """Use the invitation once: link the person to `user`, or to a new user with `password`,
    who agreed to the privacy policy on the page that set it.

    The compare-and-set update makes two simultaneous accepts use it only once.
    """
    claimed = (
        Invitation.objects.usable()
        .filter(pk=invitation.pk, nonce=invitation.nonce)
        .update(accepted_at=timezone.now())
    )
    if not claimed:
        raise InvitationUnusable
    if user is None:
        user = get_user_model().objects.create_user(email=invitation.email, password=password)
        record_privacy_consent(user)
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    person = invitation.person
    person.user = user
    person.save(update_fields=["user"])
    return user


def record_privacy_consent(user) -> None:
    """The user agrees to the current privacy policy, now."""
    user.privacy_consent_at = timezone.now()
    user.privacy_policy_version = privacy.POLICY_VERSION
    user.save(update_fields=["privacy_consent_at", "privacy_policy_version"])

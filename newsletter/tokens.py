"""Signed links in newsletter mail: unsubscribe (per recipient) and subscription confirmation.

An unsubscribe token names the subscriber and carries an HMAC of its id and current address:
it cannot be made up, and it stops working for an address the row no longer has.
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import Subscriber

UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
CONFIRM_SALT = "newsletter.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def _mac(subscriber_id: int, email: str, secret: str | None = None) -> str:
    value = f"{subscriber_id}:{email.lower()}"
    return salted_hmac(UNSUBSCRIBE_SALT, value, secret=secret).hexdigest()[:32]


def unsubscribe_token(subscriber_id: int, email: str) -> str:
    return f"{subscriber_id}-{_mac(subscriber_id, email)}"


def subscriber_for_unsubscribe(token: str) -> Subscriber | None:
    pk, _sep, mac = token.partition("-")
    # ASCII digits only: str.isdigit() also holds for "²", which int() refuses.
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        return None
    subscriber = Subscriber.objects.filter(pk=int(pk)).first()
    if subscriber is None:
        return None
    # Links in mail sent before a key rotation keep working while the old key is a fallback.
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        if constant_time_compare(mac, _mac(subscriber.pk, subscriber.email, secret)):
            return subscriber
    return None


def confirm_token(email: str, name: str, topic_ids: list[int]) -> str:
    """What the reader asked for travels in the link: nothing changes until they confirm."""
    return signing.dumps({"e": email, "n": name, "t": topic_ids}, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None

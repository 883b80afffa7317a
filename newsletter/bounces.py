"""Bounces and complaints reported by the mail provider, and unsubscribe mail to the mailto.

django-anymail normalises each provider's webhook into tracking and inbound events; the
receivers in apps.py hand them to the functions here, tracking events as the mail engine
reads them (outbox.bounces). What they mean for a subscription is decided here. Scoring
follows Mailman: a hard bounce adds 1, a soft one 0.5, at most one increment a day; a hard
bounce, or a score reaching NEWSLETTER_BOUNCE_THRESHOLD, stops mail to the address and
opens a task for the secretariat.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox.bounces import Kind, read

from . import services, tokens
from .models import AddressProblem, Subscriber, SubscriptionEvent

HARD, SOFT = Decimal(1), Decimal("0.5")


def record_bounce(address: str, *, hard: bool, reason: str, source: str) -> Subscriber | None:
    today = timezone.localdate()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email__iexact=address).first()
        if subscriber is None:
            return None
        if subscriber.last_bounce_on != today:
            subscriber.bounce_score += HARD if hard else SOFT
            subscriber.last_bounce_on = today
        stop = hard or subscriber.bounce_score >= settings.NEWSLETTER_BOUNCE_THRESHOLD
        if stop and subscriber.bounced_at is None:
            subscriber.bounced_at = timezone.now()
            services.record(subscriber, SubscriptionEvent.Action.BOUNCE, source, reason)
            AddressProblem.objects.get_or_create(
                subscriber=subscriber, resolved_at=None, defaults={"reason": reason[:300]}
            )
        subscriber.save(update_fields=["bounce_score", "last_bounce_on", "bounced_at"])
    return subscriber


def record_complaint(address: str, *, source: str) -> None:
    """A reader marked the mail as spam: nothing more goes to them."""
    for subscriber in Subscriber.objects.filter(email__iexact=address):
        services.unsubscribe(subscriber, source, "complaint")
        services.record(subscriber, SubscriptionEvent.Action.COMPLAINT, source)


def handle_tracking(sender, event, esp_name, **kwargs) -> None:
    report = read(event, esp_name)
    if report is None:
        return
    if report.kind == Kind.BOUNCE:
        record_bounce(report.address, hard=report.hard, reason=report.reason, source=report.source)
    elif report.kind == Kind.COMPLAINT:
        record_complaint(report.address, source=report.source)
    else:
        for subscriber in Subscriber.objects.filter(email__iexact=report.address):
            services.unsubscribe(subscriber, report.source)


_TOKEN = re.compile(r"unsubscribe\s+(\d+-[0-9a-f]{32})", re.IGNORECASE)


def handle_inbound(sender, event, esp_name, **kwargs) -> None:
    """Mail to the List-Unsubscribe mailto: the token in its subject names the subscriber."""
    message = event.message
    match = _TOKEN.search(message.subject or "")
    if match is None:
        return
    subscriber = tokens.subscriber_for_unsubscribe(match.group(1))
    if subscriber is not None:
        services.unsubscribe(subscriber, "unsubscribe mail")

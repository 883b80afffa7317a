"""What the mail provider reports about an address the engine sent to.

django-anymail normalises each provider's webhook into tracking events; `read` turns one
into a Report: a bounce (hard or soft), a complaint or an unsubscribe. What a report means
for the address (a subscription's bounce score, its mail stopped) is decided by the app
that keeps the addresses, which receives the events: newsletter/bounces.py.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from anymail.signals import EventType

_TRANSIENT = re.compile(r"(^|\D)4\d\d(\D|$)|\b4\.\d{1,3}\.\d{1,3}\b")


class Kind(StrEnum):
    BOUNCE = "bounce"
    COMPLAINT = "complaint"
    UNSUBSCRIBE = "unsubscribe"


_KINDS = {
    EventType.BOUNCED: Kind.BOUNCE,
    EventType.REJECTED: Kind.BOUNCE,
    EventType.DEFERRED: Kind.BOUNCE,
    EventType.COMPLAINED: Kind.COMPLAINT,
    EventType.UNSUBSCRIBED: Kind.UNSUBSCRIBE,
}


@dataclass(frozen=True)
class Report:
    kind: Kind
    address: str
    source: str
    hard: bool = False
    reason: str = ""


def is_hard(event) -> bool:
    """A bounce is soft when the provider says so or the server's reply is a 4xx.

    Resend gives no server reply, only its bounce type (Permanent, Transient or
    Undetermined); only a permanent one stops an address at once.
    """
    if event.event_type == EventType.DEFERRED:
        return False
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if raw.get("Type") == "SoftBounce" or raw.get("severity") == "temporary":
        return False
    data = raw.get("data")
    bounce = data.get("bounce") if isinstance(data, dict) else None
    if isinstance(bounce, dict) and bounce.get("type") in ("Transient", "Undetermined"):
        return False
    return not _TRANSIENT.search(event.mta_response or "")


def read(event, esp_name: str) -> Report | None:
    """The event as a report on its recipient; None for the others (delivered, opened...)."""
    kind = _KINDS.get(event.event_type)
    if kind is None:
        return None
    address, source = event.recipient or "", f"{esp_name} webhook"
    if kind != Kind.BOUNCE:
        return Report(kind, address, source)
    reason = event.mta_response or event.description or event.reject_reason or ""
    return Report(kind, address, source, hard=is_hard(event), reason=reason)

"""The provider's tracking events read as reports on an address: bounce (hard or soft),
complaint or unsubscribe. What they do to a subscription: tests/newsletter/test_bounces.py."""

import pytest
from anymail.signals import AnymailTrackingEvent, EventType

from outbox.bounces import Kind, Report, read

ADDRESS = "reader@example.jp"


def event(event_type, mta_response=None, esp_event=None, **fields):
    return AnymailTrackingEvent(
        event_type=event_type,
        recipient=ADDRESS,
        mta_response=mta_response,
        esp_event=esp_event,
        **fields,
    )


def resend_bounce(kind):
    """Resend's email.bounced payload: a type, no server reply."""
    return {
        "type": "email.bounced",
        "data": {"bounce": {"type": kind, "subType": "General", "message": "bounce message"}},
    }


@pytest.mark.parametrize(
    ("tracked", "hard"),
    [
        (event(EventType.BOUNCED, "smtp;550 5.1.1 The email account does not exist"), True),
        (event(EventType.REJECTED, reject_reason="bounced"), True),
        (event(EventType.BOUNCED, "smtp;452 4.2.2 Mailbox full"), False),
        (event(EventType.BOUNCED, "Mailbox full (4.2.2)"), False),
        (event(EventType.BOUNCED, "smtp;550 sorry", esp_event={"Type": "SoftBounce"}), False),
        (event(EventType.BOUNCED, esp_event={"severity": "temporary"}), False),
        (event(EventType.DEFERRED, "smtp;550 5.1.1 unknown"), False),
        (event(EventType.BOUNCED, esp_event=resend_bounce("Permanent")), True),
        (event(EventType.BOUNCED, esp_event=resend_bounce("Transient")), False),
        (event(EventType.BOUNCED, esp_event=resend_bounce("Undetermined")), False),
    ],
)
def test_a_bounce_is_hard_unless_the_provider_or_the_reply_says_temporary(tracked, hard):
    report = read(tracked, "Postmark")

    assert (report.kind, report.address, report.hard) == (Kind.BOUNCE, ADDRESS, hard)
    assert report.source == "Postmark webhook"
    assert report.reason == (tracked.mta_response or tracked.reject_reason or "")


def test_the_reason_falls_back_to_the_description():
    tracked = event(EventType.BOUNCED, description="The server was unable to deliver")

    assert read(tracked, "Postmark").reason == "The server was unable to deliver"


def test_complaints_and_unsubscribes_are_reported_and_the_rest_is_not():
    assert read(event(EventType.COMPLAINED), "Postmark") == Report(
        Kind.COMPLAINT, ADDRESS, "Postmark webhook"
    )
    assert read(event(EventType.UNSUBSCRIBED), "Postmark").kind == Kind.UNSUBSCRIBE
    assert read(event(EventType.DELIVERED), "Postmark") is None
    assert read(event(EventType.OPENED), "Postmark") is None

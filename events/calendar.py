"""iCalendar (RFC 5545) for events: one VEVENT per session, for the confirmation mail's
attachment and a user's calendar feed. Written out here, as it is a few lines of text."""

from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from portal.mail import portal_url

from .models import Session

PRODID = "-//Innovation Net//member portal//JA"


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (RFC 5545 3.1), never splitting
    a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _location(session: Session) -> str:
    event = session.event
    if event.online:
        return "オンライン" if not event.venue else f"{event.venue}／オンライン"
    return " ".join(part for part in (event.venue, event.venue_address) if part)


def calendar(sessions, *, name: str, stamp) -> bytes:
    """The sessions (with their events loaded) as a calendar; `stamp` is DTSTAMP."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    host = urlsplit(settings.SITE_URL).hostname or "innonet"
    for session in sessions:
        event = session.event
        summary = (
            event.title if session.title == event.title else f"{event.title}：{session.title}"
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{event.pk}-session-{session.pk}@{host}",
            f"DTSTAMP:{_stamp(stamp)}",
            f"DTSTART:{_stamp(session.starts_at)}",
            f"DTEND:{_stamp(session.ends_at)}",
            f"SUMMARY:{_escape(summary)}",
            f"LOCATION:{_escape(_location(session))}",
            f"URL:{portal_url(reverse('events:detail', args=[event.pk]))}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()

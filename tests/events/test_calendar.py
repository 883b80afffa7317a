"""iCalendar text: one VEVENT per session, times in UTC, text escaped, lines folded at 75
octets without splitting a character."""

from datetime import UTC, datetime

import pytest

from events import calendar
from events.calendar import _fold
from tests import factories

pytestmark = pytest.mark.django_db

STAMP = datetime(2026, 12, 1, 3, 4, 5, tzinfo=UTC)


def _lines(data: bytes) -> list[str]:
    return data.decode().replace("\r\n ", "").split("\r\n")[:-1]


def _field(lines, name):
    return [line.split(":", 1)[1] for line in lines if line.split(":", 1)[0] == name]


def test_one_event_per_session_in_utc():
    event = factories.make_event(sessions=3, venue="ITビル", venue_address="金沢市鞍月2-20")
    sessions = list(event.sessions.select_related("event"))
    lines = _lines(calendar.calendar(sessions, name=event.title, stamp=STAMP))
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 3
    assert _field(lines, "DTSTAMP") == ["20261201T030405Z"] * 3
    assert _field(lines, "DTSTART") == [
        s.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for s in sessions
    ]
    assert _field(lines, "DTEND") == [
        s.ends_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for s in sessions
    ]
    assert _field(lines, "LOCATION") == ["ITビル 金沢市鞍月2-20"] * 3
    assert len(set(_field(lines, "UID"))) == 3


def test_text_is_escaped_and_online_said_so():
    event = factories.make_event(title="研修; 基礎, 応用\\第1期\n追補", online=True)
    sessions = list(event.sessions.select_related("event"))
    lines = _lines(calendar.calendar(sessions, name=event.title, stamp=STAMP))
    assert _field(lines, "X-WR-CALNAME") == ["研修\\; 基礎\\, 応用\\\\第1期\\n追補"]
    assert _field(lines, "LOCATION") == ["オンライン"]
    assert all("\n" not in line for line in lines)


@pytest.mark.parametrize("text", ["A" * 200, "あ" * 100, "a" + "研修" * 60, "🙂x" * 40])
def test_folding_keeps_lines_within_75_octets_and_characters_whole(text):
    folded = _fold("SUMMARY:" + text).encode()
    physical = folded.split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)
    assert all(line.startswith(b" ") for line in physical[1:])
    for line in physical:
        line.decode()  # each physical line is valid UTF-8 on its own
    assert folded.replace(b"\r\n ", b"").decode() == "SUMMARY:" + text


def test_a_short_line_is_left_alone():
    assert _fold("VERSION:2.0") == "VERSION:2.0"

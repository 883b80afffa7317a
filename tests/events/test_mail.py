"""The events' mails through the mail engine to a real SMTP server: the confirmation with
its calendar and check-in code, the waiting list's without, and reminders sent once."""

import io
from datetime import UTC, timedelta

import pytest
import qrcode
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from events import mail, services
from events.models import Registration
from portal.mail import portal_url
from tests import factories
from tests.factories import participant

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LONG_TITLE = (
    "令和八年度 産業支援コーディネーター人材養成研修（基礎編）"
    "― 地域の中小企業支援を担う人材のために"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


def _register(run, event, *numbers, **options):
    return run(
        services.register,
        event.pk,
        [participant(n) for n in numbers],
        registered_by=None,
        **options,
    )


def _unfolded(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_the_confirmation_carries_the_calendar_and_the_check_in_code(run, smtp_server):
    event = factories.make_event(sessions=3, title=LONG_TITLE, venue="石川県地場産業振興センター")
    (registration,) = _register(run, event, 1)
    (message,) = smtp_server.messages()
    assert message["To"] == "participant1@example.jp"
    body = message.get_body(preferencelist=("plain",)).get_content()
    check_in_url = portal_url(reverse("events:check_in_code", args=[registration.token]))
    assert check_in_url in body
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(attachments) == {"event.ics", "check-in.png"}

    ics_part = attachments["event.ics"]
    assert ics_part.get_content_type() == "text/calendar"
    raw = ics_part.get_payload(decode=True)
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "lines folded at 75 octets"
    assert any(line.startswith(b" ") for line in raw.split(b"\r\n")), "the long title folds"
    raw.decode("utf-8")  # folding never splits a character
    lines = _unfolded(raw.decode())
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 3
    starts = [line.removeprefix("DTSTART:") for line in lines if line.startswith("DTSTART:")]
    expected = [
        s.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for s in event.sessions.all()
    ]
    assert starts == expected
    assert all(start.endswith("T010000Z") for start in starts)  # 10:00 in Tokyo is 01:00 UTC
    summaries = [line for line in lines if line.startswith("SUMMARY:")]
    assert summaries[0] == f"SUMMARY:{LONG_TITLE}：第1日"
    assert len({line for line in lines if line.startswith("UID:")}) == 3

    png = attachments["check-in.png"]
    assert png.get_content_type() == "image/png"
    data = png.get_payload(decode=True)
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    assert image.width == image.height > 100  # a square code, big enough to scan
    # No QR decoder is installed: the encoder is deterministic, so the code is the check-in
    # URL's when it is byte for byte the one drawn from that URL (and the URL is in the text).
    drawn = io.BytesIO()
    qrcode.make(check_in_url, box_size=8, border=2).save(drawn, format="PNG")
    assert data == drawn.getvalue()


def test_the_waiting_list_confirmation_has_no_attachments(run, smtp_server):
    event = factories.make_event(capacity=1)
    _register(run, event, 1)
    (waiting,) = _register(run, event, 2)
    assert waiting.status == "waiting"
    message = next(m for m in smtp_server.messages() if m["To"] == "participant2@example.jp")
    assert list(message.iter_attachments()) == []
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert str(waiting.token) not in body  # no check-in code for a place not held


def _tomorrow_event(starts_in_days=1, **fields):
    """An event whose first session starts tomorrow, still open for registration."""
    return factories.make_event(
        starts_in_days=starts_in_days,
        registration_closes_at=timezone.now() + timedelta(days=5),
        **fields,
    )


def test_reminders_go_once_the_day_before_to_those_holding_a_place(run, smtp_server):
    event = _tomorrow_event(capacity=3, sessions=2)
    _register(run, event, 1, 2, 3)
    (waiting,) = _register(run, event, 4)
    assert waiting.status == "waiting"
    run(services.cancel, Registration.objects.get(email="participant3@example.jp").pk)
    # participant4 was offered participant3's place: holds it, but has not confirmed.
    later = _tomorrow_event(starts_in_days=2)
    _register(run, later, 5)
    smtp_server.received.clear()

    assert run(mail.send_reminders) == 2
    assert run(mail.send_reminders) == 0  # run again: nobody twice
    recipients = sorted(to for tos, _raw in smtp_server.received for to in tos)
    assert recipients == ["participant1@example.jp", "participant2@example.jp"]
    subjects = {m["Subject"] for m in smtp_server.messages()}
    assert len(subjects) == 1
    assert Registration.objects.filter(reminded_at__isnull=False).count() == 2


def test_no_reminder_when_the_first_session_is_not_tomorrow(run, smtp_server):
    """Its second day is tomorrow, but it began yesterday: the day to remind has passed."""
    event = _tomorrow_event(sessions=2)
    _register(run, event, 1)
    first, second = event.sessions.all()
    first.starts_at -= timedelta(days=2)
    first.ends_at -= timedelta(days=2)
    first.save()
    second.starts_at -= timedelta(days=1)
    second.ends_at -= timedelta(days=1)
    second.save()
    smtp_server.received.clear()
    assert run(mail.send_reminders) == 0
    assert smtp_server.received == []


def test_reminders_are_for_tomorrow_in_tokyo(run, smtp_server):
    """The first session at 10:00 tomorrow (Asia/Tokyo): reminded today, not two days
    before, and not on the day itself."""
    event = _tomorrow_event()
    _register(run, event, 1)
    now = timezone.now()
    smtp_server.received.clear()
    assert run(mail.send_reminders, now - timedelta(days=1)) == 0
    assert run(mail.send_reminders, now + timedelta(days=1)) == 0
    assert run(mail.send_reminders, now) == 1

"""Check-in per session, and certificates of completion only for full attendance of a
training's required sessions, numbered per year without gaps, once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from events import attendance, services
from events.models import CertificateSequence, Registration
from tests import factories
from tests.factories import participant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _register(event, *numbers, **options):
    return services.register(
        event.pk, [participant(n) for n in numbers], registered_by=None, **options
    )


def _into_the_past(event, days=10):
    """Held `days` ago: registered while it was open, then its dates moved back."""
    for session in event.sessions.all():
        session.starts_at -= timedelta(days=days + 14)
        session.ends_at -= timedelta(days=days + 14)
        session.save()


def _attend(registration, sessions, user):
    for session in sessions:
        attendance.check_in(registration, session.pk, user)


@pytest.fixture
def training(secretariat):
    """A 3-day training held in the past; its last day is optional. Who came when:
    full (every day), partial (missed a required day), skipped_optional (missed day 3),
    absent (nothing), and one who registered for day 1 only."""
    event = factories.make_event(sessions=3, capacity=10)
    day1, day2, day3 = event.sessions.all()
    day3.required = False
    day3.save()
    people = dict(
        zip(
            ["full", "partial", "skipped_optional", "absent"],
            _register(event, 1, 2, 3, 4),
            strict=True,
        )
    )
    (people["day1_only"],) = _register(event, 5, session_ids=[day1.pk])
    _into_the_past(event)
    _attend(people["full"], [day1, day2, day3], secretariat)
    _attend(people["partial"], [day1, day3], secretariat)
    _attend(people["skipped_optional"], [day1, day2], secretariat)
    _attend(people["day1_only"], [day1], secretariat)
    return event, people


def _numbered(event):
    return dict(
        Registration.objects.filter(event=event, certificate_number__isnull=False).values_list(
            "email", "certificate_number"
        )
    )


def test_certificates_only_for_every_required_session(training):
    event, people = training
    assert attendance.issue_certificates(event.pk) == 2
    assert set(_numbered(event)) == {people["full"].email, people["skipped_optional"].email}
    assert set(attendance.completed(event)) == {people["full"], people["skipped_optional"]}


def test_numbers_run_per_year_without_gaps_and_nobody_twice(training, secretariat):
    event, _people = training
    assert attendance.issue_certificates(event.pk) == 2
    first = _numbered(event)
    assert attendance.issue_certificates(event.pk) == 0  # again: nobody numbered again
    assert _numbered(event) == first
    # A second training held the same year continues the sequence.
    other = factories.make_event(sessions=1, title="第二回研修")
    people = _register(other, 11, 12)
    _into_the_past(other)
    for registration in people:
        _attend(registration, other.sessions.all(), secretariat)
    assert attendance.issue_certificates(other.pk) == 2
    year = Registration.objects.filter(certificate_number__isnull=False).values_list(
        "certificate_year", flat=True
    )
    assert len(set(year)) == 1
    numbers = sorted(
        Registration.objects.filter(certificate_number__isnull=False).values_list(
            "certificate_number", flat=True
        )
    )
    assert numbers == [1, 2, 3, 4]
    assert CertificateSequence.objects.get(year=year[0]).last_number == 4
    assert sorted(_numbered(other).values()) == [3, 4]
    shown = Registration.objects.get(certificate_number=3).certificate_display_number
    assert shown == f"{year[0]}-0003"


def test_a_cancelled_participant_gets_none(secretariat):
    event = factories.make_event(sessions=1)
    stays, leaves = _register(event, 1, 2)
    _attend(leaves, event.sessions.all(), secretariat)
    services.cancel(leaves.pk)
    _into_the_past(event)
    _attend(stays, event.sessions.all(), secretariat)
    assert attendance.issue_certificates(event.pk) == 1
    assert set(_numbered(event)) == {stays.email}


def test_attending_nothing_earns_nothing_even_when_no_session_is_required(secretariat):
    event = factories.make_event(sessions=2)
    event.sessions.update(required=False)
    came, _stayed_away = _register(event, 1, 2)
    _into_the_past(event)
    _attend(came, event.sessions.all()[:1], secretariat)
    assert attendance.issue_certificates(event.pk) == 1
    assert set(_numbered(event)) == {came.email}


def test_not_for_an_exchange_meeting(secretariat):
    event = factories.make_event(kind="exchange")
    (registration,) = _register(event, 1)
    _into_the_past(event)
    _attend(registration, event.sessions.all(), secretariat)
    with pytest.raises(ValidationError, match="training only"):
        attendance.issue_certificates(event.pk)
    assert not _numbered(event)


def test_not_before_the_end(secretariat):
    event = factories.make_event(sessions=2)
    (registration,) = _register(event, 1)
    first, last = event.sessions.all()
    # The first day is over, the second is under way.
    now = timezone.now()
    first.starts_at, first.ends_at = now - timedelta(days=1, hours=7), now - timedelta(days=1)
    first.save()
    last.starts_at, last.ends_at = now - timedelta(hours=1), now + timedelta(hours=6)
    last.save()
    _attend(registration, [first, last], secretariat)
    with pytest.raises(ValidationError, match="once the training has ended"):
        attendance.issue_certificates(event.pk)
    assert not _numbered(event)
    assert not CertificateSequence.objects.exists()


def test_check_in_keeps_the_first_time_and_refuses_those_without_a_place(secretariat):
    event = factories.make_event(sessions=2, capacity=1)
    held, waiting = _register(event, 1, 2)
    day1, _day2 = event.sessions.all()
    seat = attendance.check_in(held, day1.pk, secretariat)
    first_time = seat.attended_at
    again = attendance.check_in(held, day1.pk, secretariat, now=first_time + timedelta(hours=1))
    assert again.attended_at == first_time
    with pytest.raises(ValidationError, match="not registered"):
        attendance.check_in(waiting, day1.pk, secretariat)
    (partial,) = _register(factories.make_event(sessions=2), 3, session_ids=None)
    other_session = partial.event.sessions.first()
    with pytest.raises(ValidationError, match="not registered for this session"):
        attendance.check_in(held, other_session.pk, secretariat)
    attendance.undo_check_in(held, day1.pk)
    seat.refresh_from_db()
    assert seat.attended_at is None and seat.checked_in_by is None

"""The events' demo data: an open training, full, with the demo member's staff and exactly
one waiting; a past exchange meeting with attendance; a past training with certificates."""

import itertools

import pytest
from django.core.management import call_command
from django.utils import timezone

from events import demo
from events.models import Event, Registration, Seat
from members import demo as member_demo
from outbox.models import Mailing

pytestmark = pytest.mark.django_db


def test_seed_demo_carries_the_events():
    call_command("seed_demo")
    first = (Event.objects.count(), Registration.objects.count(), Seat.objects.count())
    call_command("seed_demo")
    assert (Event.objects.count(), Registration.objects.count(), Seat.objects.count()) == first
    # Demo addresses get no mail: seeding leaves no work queued for `make run`'s worker.
    assert not Mailing.objects.filter(renderer__startswith="events.").exists()
    assert training_is_public(demo.OPEN_TRAINING)

    now = timezone.now()
    training = Event.objects.get(title=demo.OPEN_TRAINING)
    sessions = list(training.sessions.all())
    assert len(sessions) == 3
    days = [timezone.localdate(s.starts_at) for s in sessions]
    assert [(b - a).days for a, b in itertools.pairwise(days)] == [1, 1]
    assert (days[0] - timezone.localdate(now)).days >= 14  # some weeks ahead
    assert training.registration_open(now)
    assert (training.member_fee, training.non_member_fee) == (5000, 10000)
    registrations = training.registrations
    assert registrations.filter(status="registered").count() == training.capacity
    assert registrations.filter(status="waiting").count() == 1
    own = registrations.filter(organisation__name=member_demo.DEMO_MEMBER_ORGANISATION)
    assert own.filter(status="registered").count() == 2
    assert own.filter(email=member_demo.DEMO_MEMBER_PERSON_EMAIL, user__isnull=False).exists()
    assert set(registrations.filter(status="registered").values_list("charge", flat=True)) == {
        5000
    }

    exchange = Event.objects.get(title=demo.PAST_EXCHANGE)
    assert exchange.kind == "exchange"
    assert exchange.sessions.get().ends_at < now
    seats = Seat.objects.filter(session__event=exchange)
    assert seats.filter(attended_at__isnull=False).count() == seats.count() - 1 > 0

    past = Event.objects.get(title=demo.PAST_TRAINING)
    assert max(s.ends_at for s in past.sessions.all()) < now
    certified = past.registrations.filter(certificate_number__isnull=False)
    assert certified.count() == past.registrations.count() - 1 > 0
    assert sorted(certified.values_list("certificate_number", flat=True)) == list(
        range(1, certified.count() + 1)
    )


def training_is_public(title: str) -> bool:
    """On the public events page: visible without logging in."""
    return Event.objects.published().filter(title=title, open_to_public=True).exists()

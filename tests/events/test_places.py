"""Capacity and the waiting list, on PostgreSQL with real concurrency."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from events import services
from events.models import Registration
from outbox.models import Delivery
from tests import factories
from tests.factories import participant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in the source language; mails render in the portal's."""
    with translation.override("en"):
        yield


@pytest.fixture
def mail_held(monkeypatch):
    """Mailings are created but not launched: eager Celery tasks in several threads at once
    race on Celery's process-wide "join will block" flag and leave it set for later tests.
    The deliveries (who is mailed, once) are what these tests check."""
    monkeypatch.setattr("outbox.engine.launch", lambda mailing_id: None)


def _register(event, n, **options):
    return services.register(event.pk, [participant(n)], registered_by=None, **options)[0]


def test_places_go_in_order_and_the_rest_wait():
    event = factories.make_event(capacity=2)
    statuses = [_register(event, n).status for n in range(4)]
    assert statuses == ["registered", "registered", "waiting", "waiting"]
    first = Registration.objects.get(email="participant0@example.jp")
    assert first.charge == first.fee == 10000  # the non-member rate: no member flag given
    waiting = Registration.objects.get(email="participant2@example.jp")
    assert waiting.charge == 0  # nothing is owed for a place not held


def test_a_session_with_fewer_places_than_the_event_fills_first():
    event = factories.make_event(capacity=5, sessions=2)
    small = event.sessions.last()
    small.capacity = 1
    small.save()
    first, second = event.sessions.first(), small
    assert _register(event, 1).status == "registered"
    assert _register(event, 2).status == "waiting"
    assert _register(event, 3, session_ids=[first.pk]).status == "registered"
    assert set(second.seats.values_list("registration__email", flat=True)) == {
        "participant1@example.jp",
        "participant2@example.jp",
    }


def test_the_same_address_cannot_register_twice_but_may_again_after_cancelling():
    event = factories.make_event()
    registration = _register(event, 1)
    with pytest.raises(ValidationError, match="Already registered"):
        services.register(
            event.pk, [participant(1, email="Participant1@Example.jp")], registered_by=None
        )
    services.cancel(registration.pk)
    assert _register(event, 1).status == "registered"


def test_registration_outside_the_window_is_refused():
    event = factories.make_event(registration_opens_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ValidationError, match="not opened yet"):
        _register(event, 1)
    event.registration_opens_at = timezone.now() - timedelta(days=3)
    event.registration_closes_at = timezone.now() - timedelta(days=1)
    event.save()
    with pytest.raises(ValidationError, match="closed"):
        _register(event, 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_the_capacity(mail_held):
    event = factories.make_event(capacity=15, sessions=2)
    errors, start = [], threading.Barrier(8)

    def client(worker):
        try:
            start.wait(timeout=30)
            for n in range(5):
                _register(event, worker * 100 + n)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count("registered") == 15
    assert statuses.count("waiting") == 25
    for session in event.sessions.all():
        assert session.seats.filter(registration__status="registered").count() == 15


def test_a_cancellation_offers_the_place_to_the_next_in_line_and_mails_them(
    django_capture_on_commit_callbacks,
):
    event = factories.make_event(capacity=1)
    held = _register(event, 1)
    first_waiting = _register(event, 2)
    second_waiting = _register(event, 3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(held.pk)
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == "offered"
    assert first_waiting.offer_expires_at == first_waiting.offered_at + timedelta(days=3)
    assert second_waiting.status == "waiting"
    offers = Delivery.objects.filter(mailing__renderer="events.offer")
    assert list(offers.values_list("address", flat=True)) == ["participant2@example.jp"]
    # (The engine also sends the confirmations still queued, as a resumed mailing.)
    sent = [m for m in mail.outbox if "繰上げ" in m.subject]
    assert [m.to for m in sent] == [["participant2@example.jp"]]
    assert event.title in sent[0].subject
    assert "参加 2郎" in sent[0].body  # addressed by name
    services.confirm_offer(first_waiting.pk)
    first_waiting.refresh_from_db()
    assert (first_waiting.status, first_waiting.charge) == ("registered", 10000)


def test_an_offer_not_confirmed_in_time_goes_to_the_next_in_line():
    event = factories.make_event(capacity=1)
    held = _register(event, 1)
    late = _register(event, 2)
    nxt = _register(event, 3)
    services.cancel(held.pk)
    later = timezone.now() + timedelta(days=3, minutes=1)
    assert services.expire_offers(now=later) == 1
    late.refresh_from_db()
    nxt.refresh_from_db()
    assert (late.status, nxt.status) == ("expired", "offered")
    with pytest.raises(ValidationError, match="expired"):
        services.confirm_offer(late.pk, now=later)
    assert services.expire_offers(now=later) == 0  # run again: nothing more


@pytest.mark.django_db(transaction=True)
def test_two_cancelling_at_once_free_two_places_offered_once_each(mail_held):
    event = factories.make_event(capacity=2)
    held = [_register(event, n) for n in (1, 2)]
    waiting = [_register(event, n) for n in (3, 4, 5)]
    errors, start = [], threading.Barrier(2)

    def cancel(registration):
        try:
            start.wait(timeout=30)
            services.cancel(registration.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel, args=(r,)) for r in held]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = {
        r.email: r.status for r in Registration.objects.filter(pk__in=[w.pk for w in waiting])
    }
    assert statuses == {
        "participant3@example.jp": "offered",
        "participant4@example.jp": "offered",
        "participant5@example.jp": "waiting",
    }
    offers = Delivery.objects.filter(mailing__renderer="events.offer")
    assert sorted(offers.values_list("address", flat=True)) == [
        "participant3@example.jp",
        "participant4@example.jp",
    ]


def test_members_pay_the_member_rate_and_an_institution_registers_colleagues(member, organisation):
    event = factories.make_event()
    colleague = factories.make_person(
        organisation, family_name="同僚", email="colleague@example.jp"
    )
    registrations = services.register(
        event.pk,
        [participant(1, person=colleague, email=colleague.email), participant(2)],
        registered_by=member,
        organisation=organisation,
        member=True,
        one_invoice_per_institution=True,
    )
    assert [(r.fee, r.organisation_id, r.person_id) for r in registrations] == [
        (5000, organisation.pk, colleague.pk),
        (5000, organisation.pk, None),
    ]

"""Registrations for an event under load: 2,000 attempts for 1,500 places from 20
concurrent clients, each a thread with its own database connection calling
events.services.register, as the registration view does. Then counts from the database:
exactly 1,500 registered, 500 on the waiting list and nobody over the capacity (the
event's row lock, events/services.py). Prints the wall time of the attempts."""

import threading
import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from bench.common import check, progress
from events import services
from events.models import Event, Registration, Seat, Session
from innonet.celery import app as celery_app
from outbox.engine import pause
from outbox.models import Mailing

ATTEMPTS = 2_000
CLIENTS = 20
CAPACITY = 1_500


def make_event() -> Event:
    now = timezone.now()
    starts = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)
    starts += timedelta(days=30)
    event = Event.objects.create(
        kind=Event.Kind.TRAINING,
        title="ベンチ人材養成研修",
        published=True,
        open_to_public=True,
        capacity=CAPACITY,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=starts - timedelta(days=1),
        member_fee=5_000,
        non_member_fee=10_000,
    )
    Session.objects.create(
        event=event, title="第1日", starts_at=starts, ends_at=starts + timedelta(hours=7)
    )
    return event


def participant(n: int) -> dict:
    return {
        "family_name": "参加",
        "given_name": f"{n}郎",
        "family_name_kana": "サンカ",
        "given_name_kana": f"ロウ{n:04d}",
        "email": f"participant{n:04d}@bench.example",
        "affiliation": f"テスト産業支援機構{n % 97:05d}",
    }


def attempt_all(event_id: int) -> tuple[float, list[BaseException]]:
    """CLIENTS threads, each registering its share of the ATTEMPTS one at a time; they start
    together. (seconds, errors)."""
    errors: list[BaseException] = []
    ready = threading.Barrier(CLIENTS + 1)

    def client(first: int) -> None:
        try:
            ready.wait()
            for n in range(first, ATTEMPTS, CLIENTS):
                services.register(event_id, [participant(n)], registered_by=None)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, errors


def quiet_mail() -> None:
    """The confirmations' mailings went to the broker, which nothing here consumes; they are
    purged and paused, so that the newsletter's workers, which resume mailings as they
    start, leave them alone."""
    celery_app.control.purge()
    for mailing_id in Mailing.objects.filter(status=Mailing.Status.SENDING).values_list(
        "pk", flat=True
    ):
        pause(mailing_id, "bench: the events' confirmations are not sent")


def bench_registrations() -> str:
    event = make_event()
    progress(f"events: {ATTEMPTS} registrations for {CAPACITY} places from {CLIENTS} clients")
    seconds, errors = attempt_all(event.pk)
    quiet_mail()
    check(not errors, f"{len(errors)} registration attempts failed, the first: {errors[:1]!r}")
    statuses = Registration.objects.filter(event=event)
    registered = statuses.filter(status=Registration.Status.REGISTERED).count()
    waiting = statuses.filter(status=Registration.Status.WAITING).count()
    held = statuses.filter(status__in=Registration.HOLDING).count()
    over = max(0, held - CAPACITY)
    check(statuses.count() == ATTEMPTS, f"{statuses.count()} registrations, expected {ATTEMPTS}.")
    check(over == 0, f"{held} places held for a capacity of {CAPACITY}.")
    check(registered == CAPACITY, f"{registered} registered, expected {CAPACITY}.")
    check(waiting == ATTEMPTS - CAPACITY, f"{waiting} waiting, expected {ATTEMPTS - CAPACITY}.")
    seats = Seat.objects.filter(
        session__event=event, registration__status__in=Registration.HOLDING
    ).count()
    check(seats == held, f"{seats} seats held in the session, expected {held}.")
    return (
        f"events.register attempts={ATTEMPTS} clients={CLIENTS} capacity={CAPACITY} "
        f"registered={registered} waiting={waiting} over={over} seconds={seconds:.1f}"
    )

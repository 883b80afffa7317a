"""The events' part of seed_demo, through the services: an open 3-day training a few weeks
ahead, full, with staff of the demo member's institution registered and exactly one person
on the waiting list; a past exchange meeting (情報・意見交換会) with its attendance
recorded; and a past training whose certificates of completion are numbered. Past events
are created open, registered for, then moved into the past, as they would have been."""

from datetime import timedelta

from django.utils import timezone

from members import demo as member_demo
from members.models import MembershipClass, Organisation, Person

from . import attendance, services
from .models import Event, Session

OPEN_TRAINING = "令和8年度 産業支援人材養成研修（基礎編）"
PAST_EXCHANGE = "情報・意見交換会（北陸・中部ブロック）"
PAST_TRAINING = "令和8年度 コーディネーター研修（入門編）"
OPEN_CAPACITY = 6  # the demo member's 2 staff and 4 others; the 7th waits


def _participant(person: Person) -> dict:
    organisation = person.organisation
    return {
        "person": person,
        "user": person.user,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "family_name_kana": person.family_name_kana,
        "given_name_kana": person.given_name_kana,
        "email": person.email,
        "department": person.department,
        "affiliation": organisation.name,
        "affiliation_kana": organisation.name_kana,
    }


def _staff(organisation: Organisation, count: int, first: Person | None = None) -> list[Person]:
    people = Person.objects.current().filter(organisation=organisation).exclude(email="")
    chosen = [first] if first else []
    chosen += list(
        people.exclude(pk__in=[p.pk for p in chosen]).order_by("pk")[: count - len(chosen)]
    )
    return chosen


def _others(count: int) -> list[Person]:
    """One contact each of `count` member institutions other than the demo member's."""
    people = []
    organisations = (
        Organisation.objects.filter(memberships__left_on__isnull=True)
        .exclude(name=member_demo.DEMO_MEMBER_ORGANISATION)
        .distinct()
        .order_by("pk")
    )
    for organisation in organisations:
        found = _staff(organisation, 1)
        if found and found[0].email not in {p.email for p in people}:
            people += found
        if len(people) == count:
            break
    return people


def _event(title: str, kind: str, *, starts, days: int, capacity: int, **fields) -> Event:
    now = timezone.now()
    event = Event.objects.create(
        kind=kind,
        title=title,
        published=True,
        capacity=capacity,
        registration_opens_at=now - timedelta(days=7),
        registration_closes_at=starts - timedelta(days=3),
        cancellation_deadline=starts - timedelta(days=7),
        **fields,
    )
    event.classes.set(MembershipClass.objects.filter(code__in=["full", "academic"]))
    Session.objects.bulk_create(
        Session(
            event=event,
            title=f"第{day + 1}日",
            starts_at=starts + timedelta(days=day),
            ends_at=starts + timedelta(days=day, hours=4),
        )
        for day in range(days)
    )
    return event


def _register(event: Event, people: list[Person], registered_by=None, **options):
    registrations = []
    for person in people:
        registrations += services.register(
            event.pk,
            [_participant(person)],
            registered_by=registered_by or person.user,
            organisation=person.organisation,
            member=True,
            notify=False,  # demo addresses: nobody to tell, and nothing for the worker
            **options,
        )
    return registrations


def _into_the_past(event: Event, days: int) -> None:
    """The event as held `days` ago (dates moved back after registering)."""
    shift = timedelta(days=days)
    for session in event.sessions.all():
        session.starts_at -= shift
        session.ends_at -= shift
        session.save(update_fields=["starts_at", "ends_at"])
    event.registration_opens_at -= shift
    event.registration_closes_at -= shift
    event.cancellation_deadline -= shift
    event.save(
        update_fields=["registration_opens_at", "registration_closes_at", "cancellation_deadline"]
    )


def _afternoon(days_ahead: int):
    today = timezone.localtime().replace(hour=13, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days_ahead)


def seed(user) -> None:
    """`user` (the secretariat) checks the participants in. Idempotent: an event already
    there is left as it is."""
    demo_organisation = Organisation.objects.get(name=member_demo.DEMO_MEMBER_ORGANISATION)
    demo_person = Person.objects.get(email=member_demo.DEMO_MEMBER_PERSON_EMAIL)
    demo_staff = _staff(demo_organisation, 3, first=demo_person)
    others = _others(8)

    if not Event.objects.filter(title=OPEN_TRAINING).exists():
        event = _event(
            OPEN_TRAINING,
            Event.Kind.TRAINING,
            starts=_afternoon(35),
            days=3,
            capacity=OPEN_CAPACITY,
            member_fee=5_000,
            non_member_fee=10_000,
            open_to_public=True,  # on the public events page; non-members pay their rate
            cancellation_fee_percent=100,
            cancellation_policy="開催7日前までのキャンセルは無料、以降は参加費の全額を申し受けます。",
            venue="石川県地場産業振興センター",
            venue_address="石川県金沢市鞍月2丁目1番地",
            description="産業支援機関の若手職員を対象に、企業支援の基礎を3日間で学びます。",
            co_hosts="公益財団法人石川県産業創出支援機構（幹事機関）\n経済産業省 中部経済産業局",
        )
        # The demo member registers themself and a colleague, on one invoice.
        services.register(
            event.pk,
            [_participant(p) for p in demo_staff[:2]],
            registered_by=demo_person.user,
            organisation=demo_organisation,
            member=True,
            one_invoice_per_institution=True,
            notify=False,
        )
        _register(event, others[: OPEN_CAPACITY - 2])
        _register(event, others[OPEN_CAPACITY - 2 : OPEN_CAPACITY - 1])  # full: waits

    if not Event.objects.filter(title=PAST_EXCHANGE).exists():
        event = _event(
            PAST_EXCHANGE,
            Event.Kind.EXCHANGE,
            starts=_afternoon(10),
            days=1,
            capacity=30,
            open_to_public=True,
            venue="ITビル 大研修室",
            venue_address="石川県金沢市鞍月2丁目20番地",
            description="地域の支援機関が取組と課題を持ち寄り、意見を交換します。",
        )
        registrations = _register(event, [demo_person, *others[:6]])
        _into_the_past(event, 40)
        session = event.sessions.get()
        for registration in registrations[:-1]:  # the last one did not come
            attendance.check_in(registration, session.pk, user, now=session.starts_at)

    if not Event.objects.filter(title=PAST_TRAINING).exists():
        event = _event(
            PAST_TRAINING,
            Event.Kind.TRAINING,
            starts=_afternoon(12),
            days=2,
            capacity=20,
            member_fee=3_000,
            non_member_fee=6_000,
            venue="ITビル 大研修室",
            venue_address="石川県金沢市鞍月2丁目20番地",
        )
        registrations = _register(event, [demo_person, *others[2:6]])
        _into_the_past(event, 60)
        sessions = list(event.sessions.all())
        for n, registration in enumerate(registrations):
            came = sessions if n != len(registrations) - 1 else sessions[:1]  # one missed day 2
            for session in came:
                attendance.check_in(registration, session.pk, user, now=session.starts_at)
        attendance.issue_certificates(event.pk)

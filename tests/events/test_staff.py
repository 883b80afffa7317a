"""The secretariat on the day and after: check-in by name and by code, the report by block and
class, and the feedback survey sent through the survey app."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from events import feedback, reports, services
from events.models import Registration, Seat
from events.views import current_session
from members.models import MembershipClass, PersonRole, RegionalBlock
from members.services import assign_role
from outbox.models import Delivery
from surveys.models import Response
from tests import factories
from tests.factories import participant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def reception(db):
    """Staff with two-factor and the one permission check-in asks for."""
    user = factories.make_user("reception@example.jp", is_staff=True)
    factories.add_totp(user)
    user.user_permissions.add(Permission.objects.get(codename="change_seat"))
    return user


def register(event, n, organisation=None, **fields):
    return services.register(
        event.pk,
        [participant(n, **fields)],
        registered_by=None,
        organisation=organisation,
        member=organisation is not None,
    )[0]


def move_to_today(event, *, hours_from_now=-1):
    """Shift the event's sessions so that the first runs now (started an hour ago)."""
    sessions = list(event.sessions.order_by("starts_at"))
    shift = timezone.now() + timedelta(hours=hours_from_now) - sessions[0].starts_at
    for session in sessions:
        session.starts_at += shift
        session.ends_at += shift
        session.save()
    return sessions


# --- Check-in by name -----------------------------------------------------------------------


def test_the_reception_finds_a_person_by_kana_or_kanji_in_any_width(client, reception):
    event = factories.make_event(capacity=5)
    register(event, 1, family_name="山田", given_name="花子", family_name_kana="ヤマダ")
    register(event, 2, family_name="佐藤", given_name="次郎", family_name_kana="サトウ")
    client.force_login(reception)
    url = reverse("events:check_in", args=[event.pk])
    for query in ("やまだ", "ﾔﾏﾀﾞ", "山田", "ヤマダ 花子"):
        page = client.get(url, {"q": query})
        assert page.status_code == 200
        found = [str(r) for r in page.context["participants"]]
        assert found == ["山田 花子"], query
    assert len(client.get(url).context["participants"]) == 2


def test_checking_in_by_name_records_the_session_once_and_undo_clears_it(client, reception):
    event = factories.make_event(capacity=5, sessions=2)
    registration = register(event, 1)
    first, second = event.sessions.order_by("starts_at")
    client.force_login(reception)
    url = reverse("events:check_in", args=[event.pk])
    data = {"registration": registration.pk, "session": second.pk, "action": "check_in"}
    response = client.post(url, data)
    assert response.status_code == 302
    seat = Seat.objects.get(registration=registration, session=second)
    assert seat.attended_at is not None and seat.checked_in_by == reception
    first_time = seat.attended_at
    client.post(url, data)  # pressed twice: the first time stays
    seat.refresh_from_db()
    assert seat.attended_at == first_time
    assert Seat.objects.get(registration=registration, session=first).attended_at is None
    page = client.get(url, {"session": second.pk})
    assert page.context["session"].attended == 1
    assert "受付済み：1名中1名" in page.content.decode()  # the portal's language
    client.post(url, {**data, "action": "undo"})
    seat.refresh_from_db()
    assert seat.attended_at is None


def test_a_waiting_person_cannot_be_checked_in(client, reception):
    event = factories.make_event(capacity=1)
    register(event, 1)
    waiting = register(event, 2)
    assert waiting.status == Registration.Status.WAITING
    client.force_login(reception)
    url = reverse("events:check_in", args=[event.pk])
    session = event.sessions.get()
    page = client.get(url)
    assert [r.pk for r in page.context["participants"]] != [waiting.pk]
    client.post(url, {"registration": waiting.pk, "session": session.pk, "action": "check_in"})
    assert not Seat.objects.filter(attended_at__isnull=False).exists()


def test_check_in_of_another_events_registration_is_404(client, reception):
    event, other = factories.make_event(), factories.make_event()
    registration = register(other, 1)
    client.force_login(reception)
    response = client.post(
        reverse("events:check_in", args=[event.pk]),
        {"registration": registration.pk, "action": "check_in"},
    )
    assert response.status_code == 404
    assert not Seat.objects.filter(attended_at__isnull=False).exists()


def test_check_in_needs_the_seat_permission(client, staff_without_permissions, member):
    event = factories.make_event()
    registration = register(event, 1)
    session = event.sessions.get()
    data = {"registration": registration.pk, "session": session.pk, "action": "check_in"}
    for user in (staff_without_permissions, member):
        client.force_login(user)
        assert client.get(reverse("events:check_in", args=[event.pk])).status_code == 403
        response = client.post(reverse("events:check_in", args=[event.pk]), data)
        assert response.status_code == 403
        code = reverse("events:check_in_code", args=[registration.token])
        assert client.post(code, {"session": session.pk, "action": "check_in"}).status_code == 403
    client.logout()
    assert client.get(reverse("events:check_in", args=[event.pk])).status_code == 302
    assert not Seat.objects.filter(attended_at__isnull=False).exists()


# --- Check-in by code (the QR code of the confirmation mail) --------------------------------


def test_the_code_checks_in_for_the_session_running_now(client, reception):
    event = factories.make_event(capacity=5, sessions=2)
    registration = register(event, 1)
    today, tomorrow = move_to_today(event)
    client.force_login(reception)
    url = reverse("events:check_in_code", args=[registration.token])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["current"] == today
    assert client.post(url, {"session": today.pk, "action": "check_in"}).status_code == 302
    seat = Seat.objects.get(registration=registration, session=today)
    first_time = seat.attended_at
    assert first_time is not None
    client.post(url, {"session": today.pk, "action": "check_in"})
    seat.refresh_from_db()
    assert seat.attended_at == first_time
    assert Seat.objects.get(registration=registration, session=tomorrow).attended_at is None
    client.post(url, {"session": today.pk, "action": "undo"})
    seat.refresh_from_db()
    assert seat.attended_at is None


def test_the_code_refuses_a_session_the_person_has_no_seat_in(client, reception):
    event, other = factories.make_event(), factories.make_event()
    registration = register(event, 1)
    client.force_login(reception)
    url = reverse("events:check_in_code", args=[registration.token])
    response = client.post(url, {"session": other.sessions.get().pk, "action": "check_in"})
    assert response.status_code == 404


def test_an_unknown_code_is_404(client, reception):
    import uuid

    client.force_login(reception)
    assert client.get(reverse("events:check_in_code", args=[uuid.uuid4()])).status_code == 404


def test_the_current_session_is_the_running_one_or_the_next_today():
    event = factories.make_event(sessions=3, starts_in_days=0)
    first, second, third = event.sessions.order_by("starts_at")
    now = timezone.localtime(first.starts_at).replace(hour=9)
    assert current_session([first, second, third], now) == first  # starts later today
    assert current_session([first, second, third], now + timedelta(hours=2)) == first
    assert current_session([first, second, third], now + timedelta(hours=10)) is None
    assert current_session([second, third], now) is None  # not today


# --- The report -----------------------------------------------------------------------------


def test_the_report_counts_participants_and_attendees_by_block_and_class():
    kanto = RegionalBlock.objects.create(name="関東", name_en="Kanto", order=2)
    associate = MembershipClass.objects.create(
        code="associate", name="賛助会員", dues_rule="flat", flat_amount=10000, order=5
    )
    hokuriku_full = factories.make_organisation("北陸の正会員財団")
    kanto_full = factories.make_organisation("関東の正会員財団", block=kanto)
    kanto_associate = factories.make_organisation(
        "関東の賛助会員", membership_class=associate, block=kanto
    )
    event = factories.make_event(capacity=20, sessions=2)
    first, second = event.sessions.order_by("starts_at")
    came = [
        register(event, 1, hokuriku_full),
        register(event, 3, kanto_full),
        register(event, 5, kanto_associate),
        register(event, 7),  # a non-member
    ]
    register(event, 2, hokuriku_full)
    register(event, 4, kanto_full)
    register(event, 6)
    cancelled = register(event, 8, kanto_associate)
    services.cancel(cancelled.pk)
    Seat.objects.filter(registration__in=came, session=first).update(attended_at=timezone.now())
    Seat.objects.filter(registration=came[0], session=second).update(attended_at=timezone.now())

    report = reports.report(event)
    columns = report.columns
    assert columns[-1] == "Non-members"
    cells = {
        (row.label, column): (cell.attendees, cell.participants)
        for row in report.rows
        for column, cell in zip(columns, row.cells, strict=True)
    }
    assert cells[("Hokuriku", "Full member")] == (1, 2)
    assert cells[("Kanto", "Full member")] == (1, 2)
    assert cells[("Kanto", "賛助会員")] == (1, 1)  # the cancelled one is not counted
    assert cells[("Non-members", "Non-members")] == (1, 2)
    assert cells[("Hokuriku", "Non-members")] == (0, 0)
    assert (report.total.attendees, report.total.participants) == (4, 7)
    totals = dict(
        zip(columns, [(c.attendees, c.participants) for c in report.totals], strict=True)
    )
    assert totals["Full member"] == (2, 4)
    by_session = {s.pk: (s.attended, s.registered) for s in report.sessions}
    assert by_session == {first.pk: (4, 7), second.pk: (1, 7)}


def test_the_report_page_shows_the_table(client, secretariat_with_mfa, organisation):
    event = factories.make_event()
    register(event, 1, organisation)
    client.force_login(secretariat_with_mfa)
    page = client.get(reverse("events:report", args=[event.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "0 / 1" in body and "非会員" in body


# --- The feedback survey --------------------------------------------------------------------


def _with_primary(organisation, email):
    person = factories.make_person(organisation, email=email)
    assign_role(person, PersonRole.Kind.PRIMARY)
    return person


def test_feedback_invites_only_the_attendees_institutions_through_the_survey_app(
    django_capture_on_commit_callbacks,
):
    came = factories.make_organisation("出席した財団")
    absent = factories.make_organisation("欠席した財団")
    bystander = factories.make_organisation("申込のない財団")
    for organisation, email in ((came, "came@example.jp"), (absent, "absent@example.jp")):
        _with_primary(organisation, email)
    _with_primary(bystander, "bystander@example.jp")
    survey = factories.make_survey([{"code": "Q1", "kind": "short_text", "required": False}])
    event = factories.make_event(feedback_survey=survey)
    attendee = register(event, 1, came)
    register(event, 2, absent)
    register(event, 3)  # a non-member who came: no institution to ask
    Seat.objects.filter(registration=attendee).update(attended_at=timezone.now())
    Seat.objects.filter(registration__email="participant3@example.jp").update(
        attended_at=timezone.now()
    )

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback.invite_attendees(event.pk) == 1
    invited = Response.objects.filter(survey=survey, invited_at__isnull=False)
    assert list(invited.values_list("organisation", flat=True)) == [came.pk]
    # The responses of the others are not even created: the survey's rate counts the asked.
    assert not Response.objects.filter(survey=survey, organisation__in=[absent, bystander])
    requests = Delivery.objects.filter(mailing__renderer="surveys.mail")
    addresses = set(requests.values_list("address", flat=True))
    # The institution's primary contact and the participant who came; not participant 3,
    # a non-member with no institution to answer for.
    assert addresses == {"came@example.jp", "participant1@example.jp"}
    # The survey's own mail and link: its invitation, to its answer page.
    sent = [m for m in mail.outbox if m.to == ["came@example.jp"]]
    assert len(sent) == 1
    assert reverse("surveys:answer", args=[survey.pk]) in sent[0].body
    assert not {"absent@example.jp", "bystander@example.jp"} & {m.to[0] for m in mail.outbox}
    # Again: the survey app invites an institution once.
    assert feedback.invite_attendees(event.pk) == 0
    assert requests.count() == 2  # the same two deliveries, no more


def test_feedback_without_a_survey_or_attendees_sends_nothing():
    event = factories.make_event()
    assert feedback.invite_attendees(event.pk) == 0
    survey = factories.make_survey([{"code": "Q1", "kind": "short_text", "required": False}])
    event.feedback_survey = survey
    event.save()
    register(event, 1, factories.make_organisation())
    assert feedback.invite_attendees(event.pk) == 0
    assert not Response.objects.exists()


# --- Query budgets: the same at small and larger data ---------------------------------------

STAFF_BUDGETS = {
    "events:check_in": 7,
    "events:check_in_code": 6,
    "events:sign_in_sheet": 7,
    "events:report": 9,
    "events:certificate": 11,  # the first download renders and stores it
    "admin:events_event_changelist": 8,
    "admin:events_registration_changelist": 9,
}


def _crowd(event, size):
    """`size` participants from institutions of two classes and blocks and non-members, half
    of them checked in to the first session; the first holds a certificate number."""
    organisations = factories.bulk_organisations(max(size // 5, 1), prefix="予算財団")
    registrations = []
    for n in range(size):
        organisation = organisations[n % len(organisations)] if n % 4 else None
        registrations.append(register(event, n, organisation))
    first = event.sessions.order_by("starts_at").first()
    Seat.objects.filter(registration__in=registrations[::2], session=first).update(
        attended_at=timezone.now()
    )
    Registration.objects.filter(pk=registrations[0].pk).update(
        certificate_year=2026, certificate_number=1
    )
    return registrations[0]


@pytest.mark.parametrize("page", STAFF_BUDGETS)
@pytest.mark.parametrize("size", [3, 150])
def test_staff_pages_within_budget(
    client, secretariat_with_mfa, settings, tmp_path, page, size, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    factories.make_issuer()
    event = factories.make_event(capacity=size + 5, sessions=2)
    first = _crowd(event, size)
    args = {
        "events:check_in": [event.pk],
        "events:check_in_code": [first.token],
        "events:sign_in_sheet": [event.pk],
        "events:report": [event.pk],
        "events:certificate": [first.pk],
    }
    client.force_login(secretariat_with_mfa)
    with django_assert_max_num_queries(STAFF_BUDGETS[page]):
        response = client.get(reverse(page, args=args.get(page, [])))
        assert response.status_code == 200

"""Invitations to the primary contact, reminders capped and spaced, the last escalated."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from members.models import PersonRole
from members.services import assign_role
from surveys import mail as survey_mail
from surveys.models import Reminder, Response
from tests import factories
from tests.surveys.conftest import ALL_KINDS

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _institution(name, *, primary=True, **fields):
    organisation = factories.make_organisation(name, **fields)
    slug = next(factories._counter)
    if primary:
        assign_role(
            factories.make_person(organisation, email=f"primary{slug}@example.jp"),
            PersonRole.Kind.PRIMARY,
        )
    assign_role(
        factories.make_person(organisation, email=f"head{slug}@example.jp", family_name="理事長"),
        PersonRole.Kind.REPRESENTATIVE,
    )
    return organisation


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


@pytest.fixture
def asked(db):
    survey = factories.make_survey(ALL_KINDS, reminder_limit=2, reminder_interval_days=7)
    survey.closes_at = timezone.now() + 60 * DAY
    survey.save()
    return survey, [
        _institution("A財団"),
        _institution("B財団"),
        _institution("C財団", primary=False),
    ]


def _recipients(smtp_server):
    return sorted(address for to, _raw in smtp_server.received for address in to)


def test_invitations_go_once_to_each_primary_contact(asked, run, smtp_server):
    survey, (a, b, c) = asked
    assert run(survey_mail.invite, survey.pk) == 2
    assert run(survey_mail.invite, survey.pk) == 0
    emails = {o.name: o.people.get(roles__kind="primary").email for o in (a, b)}
    assert _recipients(smtp_server) == sorted(emails.values())
    message = smtp_server.messages()[0]
    assert survey.title in message["Subject"]
    assert f"/surveys/{survey.pk}/" in message.get_body().get_content()
    # C has no primary contact: asked, not invited, and shown so on the rate page.
    assert Response.objects.get(organisation=c).invited_at is None


def test_reminders_only_to_non_respondents_capped_and_escalated(asked, run, smtp_server):
    survey, (a, b, _c) = asked
    run(survey_mail.invite, survey.pk)
    factories.answer_survey(
        survey,
        b,
        factories.make_user("b@example.jp"),
        {"Q1": "あった", "Q2": ["交流"], "Q5": "良い"},
    )
    smtp_server.received.clear()
    now = timezone.now()
    assert run(survey_mail.send_reminders, survey.pk, now + 6 * DAY) == 0  # too soon
    assert run(survey_mail.send_reminders, survey.pk, now + 8 * DAY) == 1
    assert run(survey_mail.send_reminders, survey.pk, now + 9 * DAY) == 0  # spacing
    assert run(survey_mail.send_reminders, survey.pk, now + 16 * DAY) == 1
    assert run(survey_mail.send_reminders, survey.pk, now + 40 * DAY) == 0  # capped at 2
    primary = a.people.get(roles__kind="primary").email
    head = a.people.get(roles__kind="representative").email
    assert _recipients(smtp_server) == sorted([primary, primary, head])
    assert list(
        Reminder.objects.values_list("response__organisation__name", "number", "escalated")
    ) == [
        ("A財団", 1, False),
        ("A財団", 2, True),
    ]
    last = next(m for m in smtp_server.messages() if head in m["To"])
    first = next(m for m in smtp_server.messages() if primary in m["To"])
    with translation.override(settings.LANGUAGE_CODE):
        escalation = gettext(
            "This is our last reminder; it also goes to your institution's representative."
        )
    assert escalation in last.get_body().get_content()
    assert escalation not in first.get_body().get_content()


def test_no_reminders_after_the_close(asked, run):
    survey, _orgs = asked
    run(survey_mail.invite, survey.pk)
    assert run(survey_mail.send_reminders, survey.pk, survey.closes_at + DAY) == 0


def test_the_beat_task_covers_every_open_survey(asked, run):
    survey, _orgs = asked
    run(survey_mail.invite, survey.pk)
    Response.objects.filter(invited_at__isnull=False).update(invited_at=timezone.now() - 8 * DAY)
    assert run(survey_mail.send_all_reminders) == 2  # A and B; C was never invited


@pytest.fixture
def narrowed(asked):
    """The survey asks full and academic members; D大学 is academic, in another block."""
    from members.models import MembershipClass, RegionalBlock

    survey, orgs = asked
    academic = factories.make_class("academic", MembershipClass.DuesRule.FLAT, flat_amount=15000)
    survey.classes.add(academic)
    kanto = RegionalBlock.objects.create(name="関東", order=3)
    d = _institution("D大学", membership_class=academic, block=kanto)
    return survey, [*orgs, d], academic, kanto


def _preview(client, survey, **query):
    from django.urls import reverse

    page = client.get(reverse("surveys:invite", args=[survey.pk]), query)
    assert page.status_code == 200
    return page.context["preview"]


def test_requests_go_to_every_institution_asked_unless_narrowed_counted_first(
    client, secretariat_with_mfa, narrowed, django_capture_on_commit_callbacks, smtp_server
):
    from django.urls import reverse

    survey, (*_others, d), academic, kanto = narrowed
    client.force_login(secretariat_with_mfa)
    preview = _preview(client, survey)  # everyone asked; C has no primary contact
    assert (preview.eligible, preview.reachable, preview.mails) == (4, 3, 3)
    assert [i.name for i in preview.unreachable] == ["C財団"]
    assert _preview(client, survey, classes=[academic.pk]).reachable == 1
    assert [i.name for i in _preview(client, survey, blocks=[kanto.pk]).invitees] == ["D大学"]
    by_roles = _preview(client, survey, roles=["primary", "representative"])
    assert (by_roles.reachable, by_roles.mails) == (4, 7)
    assert not survey.responses.exists() and smtp_server.received == []  # GET sends nothing

    url = reverse("surveys:invite", args=[survey.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"classes": [academic.pk], "roles": ["primary"]})
    assert response["Location"] == reverse("surveys:rate", args=[survey.pk])
    d_primary = d.people.get(roles__kind="primary").email
    assert _recipients(smtp_server) == [d_primary]
    assert _preview(client, survey).invited == 1  # D is not invited twice
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"roles": ["primary", "representative"]})
    invited = Response.objects.filter(survey=survey, invited_at__isnull=False)
    assert sorted(invited.values_list("organisation__name", flat=True)) == [
        "A財団",
        "B財団",
        "C財団",
        "D大学",
    ]
    assert len(smtp_server.received) == 1 + 5  # A and B twice, C's representative once


def test_the_requests_page_is_the_secretariats(client, member, staff_without_permissions, asked):
    from django.urls import reverse

    survey, _orgs = asked
    url = reverse("surveys:invite", args=[survey.pk])
    for user in (member, staff_without_permissions):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"roles": ["primary"]}).status_code == 403
    assert not survey.responses.filter(invited_at__isnull=False).exists()

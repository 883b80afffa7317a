"""The secretariat's admin: calls and themes edited, submissions read-only, comments hidden
through an action that asks for the reason and records it, the trail read-only."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.urls import reverse

from proposals import services
from proposals.models import Endorsement, ModerationEvent
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:proposals_call_changelist",
    "admin:proposals_theme_changelist",
    "admin:proposals_ministry_changelist",
    "admin:proposals_submission_changelist",
    "admin:proposals_endorsement_changelist",
    "admin:proposals_draftcomment_changelist",
    "admin:proposals_moderationevent_changelist",
]


@pytest.fixture
def endorsed(member, outsider, organisation):
    submission = factories.make_submission(factories.make_call(), organisation, member)
    return services.endorse(submission.pk, outsider, "不適切なコメント")


@pytest.mark.parametrize("extra", [1, 20])
def test_the_admin_pages_open_within_a_fixed_budget(
    client, secretariat_with_mfa, member, organisation, extra, django_assert_max_num_queries
):
    call = factories.make_call()
    for n in range(extra):
        other = factories.make_organisation(f"賛同財団{n}")
        submission = factories.make_submission(call, organisation, member, title=f"課題{n}")
        endorsement = Endorsement.objects.create(
            submission=submission, organisation=other, created_by=member, comment="同様"
        )
        services.hide(endorsement, secretariat_with_mfa, "理由")
    client.force_login(secretariat_with_mfa)
    for name in CHANGELISTS:
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200, name
    page = client.get(reverse("admin:proposals_submission_change", args=[submission.pk]))
    assert page.status_code == 200
    assert "課題" in page.content.decode()
    assert client.get(reverse("admin:proposals_call_add")).status_code == 200


def test_submissions_are_read_only_in_the_admin(client, secretariat_with_mfa, member,
                                                organisation):  # fmt: skip
    submission = factories.make_submission(factories.make_call(), organisation, member)
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:proposals_submission_change", args=[submission.pk])
    client.post(url, {"title": "書き換え"})
    submission.refresh_from_db()
    assert submission.title == "ものづくり人材の不足"
    assert client.get(reverse("admin:proposals_submission_add")).status_code == 403


def _action(client, action, rows, **extra):
    return client.post(
        reverse("admin:proposals_endorsement_changelist"),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [r.pk for r in rows], **extra},
    )


def test_hiding_asks_for_the_reason_then_records_it(client, secretariat_with_mfa, endorsed):
    client.force_login(secretariat_with_mfa)
    asked = _action(client, "hide_comments", [endorsed])
    assert asked.status_code == 200
    assert 'name="reason"' in asked.content.decode()
    _action(client, "hide_comments", [endorsed], apply="1", reason="")
    endorsed.refresh_from_db()
    assert not endorsed.is_hidden  # no reason, nothing done
    done = _action(client, "hide_comments", [endorsed], apply="1", reason="個人情報を含む")
    assert done.status_code == 302
    endorsed.refresh_from_db()
    assert endorsed.is_hidden
    event = ModerationEvent.objects.get()
    assert (event.actor, event.action, event.reason, event.endorsement) == (
        secretariat_with_mfa,
        "hidden",
        "個人情報を含む",
        endorsed,
    )
    _action(client, "show_comments", [endorsed], apply="1", reason="確認済み")
    endorsed.refresh_from_db()
    assert not endorsed.is_hidden
    assert ModerationEvent.objects.count() == 2


def test_moderation_needs_the_change_permission(client, staff_without_permissions, endorsed):
    staff_without_permissions.user_permissions.add(
        Permission.objects.get(codename="view_endorsement")
    )
    client.force_login(staff_without_permissions)
    listing = client.get(reverse("admin:proposals_endorsement_changelist"))
    assert listing.status_code == 200
    assert "hide_comments" not in listing.content.decode()
    _action(client, "hide_comments", [endorsed], apply="1", reason="理由")
    endorsed.refresh_from_db()
    assert not endorsed.is_hidden
    assert not ModerationEvent.objects.exists()


def test_the_moderation_trail_is_read_only(client, secretariat_with_mfa, endorsed):
    services.hide(endorsed, secretariat_with_mfa, "理由")
    event = ModerationEvent.objects.get()
    client.force_login(secretariat_with_mfa)
    assert client.get(reverse("admin:proposals_moderationevent_add")).status_code == 403
    url = reverse("admin:proposals_moderationevent_delete", args=[event.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert ModerationEvent.objects.filter(pk=event.pk).exists()

"""Each role against each of the members' and the public's event pages, and an outsider
(a contact of another organisation) kept away from organisation A's registrations."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from events import services
from events.models import CalendarFeed, Material, Registration
from tests import factories
from tests.factories import participant

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the login page
MFA = "mfa"  # a redirect to two-factor set-up

ROLES = ["anonymous", "member", "outsider", "applicant", "secretariat", "secretariat_with_mfa"]

# (view, method) → expected per role, in the order of ROLES. `public` is an event open to
# the public; `members` one for full members only; A's registration is the member's own.
MATRIX = {
    ("index", "get"):             [200, 200, 200, 200, MFA, 200],
    ("detail_public", "get"):     [200, 200, 200, 200, MFA, 200],
    ("detail_members", "get"):    [404, 200, 200, 200, MFA, 200],
    ("register_public", "get"):   [LOGIN, 200, 200, 200, MFA, 200],
    ("register_members", "get"):  [LOGIN, 200, 200, 403, MFA, 403],
    ("mine", "get"):              [LOGIN, 200, 200, 200, MFA, 200],
    ("cancel", "get"):            [LOGIN, 200, 404, 404, MFA, 404],
    ("cancel", "post"):           [LOGIN, 302, 404, 404, MFA, 404],
    ("confirm", "post"):          [LOGIN, 302, 404, 404, MFA, 404],
    ("confirm", "get"):           [405, 405, 405, 405, MFA, 405],
    ("material", "get"):          [LOGIN, 200, 404, 404, MFA, 404],
    ("ics", "get"):               [LOGIN, 200, 404, 404, MFA, 404],
    ("calendar", "get"):          [LOGIN, 200, 200, 200, MFA, 200],
    ("feed", "get"):              [200, 200, 200, 200, MFA, 200],
    ("feed_wrong", "get"):        [404, 404, 404, 404, MFA, 404],
    # Replaces the member's feed: after the feed above.
    ("calendar", "post"):         [LOGIN, 302, 302, 302, MFA, 302],
}  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def a_world(member, organisation):
    public = factories.make_event(title="公開研修")
    members = factories.make_event(title="会員限定研修", open_to_public=False)
    registration = services.register(
        public.pk,
        [participant(1, user=member, email=member.email, family_name="甲機関")],
        registered_by=member,
        organisation=organisation,
        member=True,
    )[0]
    material = Material.objects.create(
        event=public,
        title="事前資料",
        file=ContentFile(b"%PDF-1.4", "x.pdf"),
        file_name="事前資料.pdf",
        content_type="application/pdf",
    )
    feed = CalendarFeed.objects.create(user=member, token="a" * 43)
    return {
        "index": reverse("events:index"),
        "detail_public": reverse("events:detail", args=[public.pk]),
        "detail_members": reverse("events:detail", args=[members.pk]),
        "register_public": reverse("events:register", args=[public.pk]),
        "register_members": reverse("events:register", args=[members.pk]),
        "mine": reverse("events:mine"),
        "cancel": reverse("events:cancel", args=[registration.pk]),
        "confirm": reverse("events:confirm", args=[registration.pk]),
        "material": reverse("events:material", args=[material.pk]),
        "ics": reverse("events:ics", args=[public.pk]),
        "calendar": reverse("events:calendar"),
        "feed": reverse("events:feed", args=[feed.token]),
        "feed_wrong": reverse("events:feed", args=["b" * 43]),
        "registration": registration,
    }


def _outcome(response):
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(reverse("account_login")):
        return LOGIN
    if response.status_code == 302 and location == reverse("mfa_activate_totp"):
        return MFA
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_each_role_against_each_page(client, request, a_world, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    registration = a_world["registration"]
    for (view, method), expected in MATRIX.items():
        if (view, method) == ("cancel", "post"):
            continue  # below, last: it changes the registration
        response = getattr(client, method)(a_world[view])
        assert _outcome(response) == expected[ROLES.index(role)], f"{method} {view} as {role}"
    response = client.post(a_world["cancel"])
    assert _outcome(response) == MATRIX[("cancel", "post")][ROLES.index(role)], role
    registration.refresh_from_db()
    expected_status = "cancelled" if role == "member" else "registered"
    assert registration.status == expected_status, role


def test_an_outsider_sees_none_of_another_institutions_registrations(
    client, a_world, outsider, other_organisation
):
    event = Registration.objects.get().event
    mine = services.register(
        event.pk,
        [participant(2, user=outsider, email=outsider.email)],
        registered_by=outsider,
        organisation=other_organisation,
        member=True,
    )[0]
    client.force_login(outsider)
    response = client.get(a_world["mine"])
    assert [r.pk for r in response.context["upcoming"]] == [mine.pk]
    assert "甲機関" not in response.content.decode()
    detail = client.get(a_world["detail_public"])
    assert detail.context["own"] == mine
    assert "甲機関" not in detail.content.decode()
    assert client.get(a_world["cancel"]).status_code == 404
    assert client.post(a_world["cancel"]).status_code == 404
    assert Registration.objects.get(pk=a_world["registration"].pk).status == "registered"


def test_a_colleague_of_the_same_institution_manages_its_registrations(
    client, a_world, organisation
):
    colleague = factories.make_user("colleague@example.jp")
    factories.make_person(organisation, user=colleague, email="colleague@example.jp")
    client.force_login(colleague)
    assert client.get(a_world["cancel"]).status_code == 200
    # ... but the meeting URL, materials and calendar file stay the participant's own.
    assert client.get(a_world["material"]).status_code == 404
    assert client.get(a_world["ics"]).status_code == 404

"""The members' and the public's event pages in a fixed number of queries: the same budget
with 2 events and registrations as with 30."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from events import services
from events.models import CalendarFeed, Material
from tests import factories
from tests.factories import participant

pytestmark = pytest.mark.django_db

# Page → budget, whatever the number of events, sessions, registrations and materials.
BUDGETS = {
    "index_anonymous": 5,
    "index": 8,
    "detail_anonymous": 5,
    "detail": 10,
    "register": 9,
    "register_public": 7,
    "mine": 4,
    "cancel": 5,
    "calendar": 4,
    "feed": 2,
    "ics": 6,
    "material": 6,
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _world(n, member, organisation, applicant):
    """n events (3 sessions, n materials each, n colleagues' registrations each) and the
    member's own registration in each; the applicant registered in the first."""
    events = []
    for k in range(n):
        event = factories.make_event(sessions=3, capacity=2 * n + 5, title=f"研修{k}")
        events.append(event)
        services.register(
            event.pk,
            [participant(1000 * k + j) for j in range(n)],
            registered_by=None,
            organisation=organisation,
            member=True,
        )
        services.register(
            event.pk,
            [participant(900000 + k, user=member, email=member.email)],
            registered_by=member,
            organisation=organisation,
            member=True,
        )
        for j in range(n):
            Material.objects.create(
                event=event,
                title=f"資料{j}",
                file=ContentFile(b"%PDF-1.4", "x.pdf"),
                file_name="資料.pdf",
                content_type="application/pdf",
            )
    for j in range(n):
        factories.make_person(organisation, family_name=f"同僚{j}")
    first = events[0]
    services.register(
        first.pk, [participant(1, user=applicant, email=applicant.email)], registered_by=applicant
    )
    return first


def _requests(first, member, applicant):
    own = first.registrations.get(user=member)
    feed = CalendarFeed.objects.create(user=member, token="t" * 43)
    material = first.materials.first()
    return {
        "index_anonymous": (None, reverse("events:index")),
        "index": (member, reverse("events:index")),
        "detail_anonymous": (None, reverse("events:detail", args=[first.pk])),
        "detail": (member, reverse("events:detail", args=[first.pk])),
        "register": (member, reverse("events:register", args=[first.pk])),
        "register_public": (applicant, reverse("events:register", args=[first.pk])),
        "mine": (member, reverse("events:mine")),
        "cancel": (member, reverse("events:cancel", args=[own.pk])),
        "calendar": (member, reverse("events:calendar")),
        "feed": (None, reverse("events:feed", args=[feed.token])),
        "ics": (member, reverse("events:ics", args=[first.pk])),
        "material": (member, reverse("events:material", args=[material.pk])),
    }


@pytest.mark.parametrize("n", [2, 30])
def test_event_pages_within_budget(
    client, member, organisation, applicant, n, django_assert_max_num_queries
):
    first = _world(n, member, organisation, applicant)
    for page, (user, url) in _requests(first, member, applicant).items():
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        with django_assert_max_num_queries(BUDGETS[page], info=page):
            response = client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        assert response.status_code == 200, page

"""Editions: phases follow the dates, and the secretariat moves them on by hand."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.defaults import copy_edition
from awards.models import AuditEvent, Edition, Phase
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_phase_follows_the_dates(edition):
    day = timedelta(days=1)
    assert edition.phase() == Phase.CALL and edition.accepts_nominations()
    assert edition.phase(edition.call_opens_at - day) == Phase.UPCOMING
    assert edition.phase(edition.nomination_deadline + timedelta(seconds=1)) == Phase.CALL
    assert not edition.accepts_nominations(edition.nomination_deadline)
    assert edition.phase(edition.entry_deadline) == Phase.JUDGING
    edition.announced_at = edition.entry_deadline + day
    assert edition.phase(edition.announced_at) == Phase.ANNOUNCED


def test_the_secretariat_closes_the_call_by_hand(client, edition, secretariat_with_mfa):
    client.force_login(secretariat_with_mfa)
    client.post(
        reverse("admin:awards_edition_changelist"),
        {"action": "close_call", "_selected_action": [edition.pk]},
    )
    edition.refresh_from_db()
    assert edition.phase() == Phase.JUDGING and edition.entry_deadline <= timezone.now()
    assert AuditEvent.objects.filter(action="call_closed").exists()
    assert not services.close_call(edition.pk, secretariat_with_mfa)


def test_copying_an_edition_to_next_year(client, edition, secretariat_with_mfa):
    prize = edition.prizes.get(name="優秀賞")
    prize.winners = 3
    prize.save()
    client.force_login(secretariat_with_mfa)
    client.post(
        reverse("admin:awards_edition_changelist"),
        {"action": "copy_to_next_year", "_selected_action": [edition.pk]},
    )
    copy = Edition.objects.get(year=edition.year + 1)
    assert copy.name == f"イノベーションネットアワード{edition.year + 1}"
    assert copy.prizes.get(name="優秀賞").winners == 3
    assert copy.tracks.get(kind="programme").sections.count() == 5
    fits = copy.rounds.first().criteria.filter(prize__isnull=False)
    assert {c.prize.edition_id for c in fits} == {copy.pk}
    assert copy.entry_deadline - edition.entry_deadline > timedelta(days=364)
    with pytest.raises(IntegrityError):  # one edition per year
        copy_edition(edition, edition.year + 1)


def test_the_call_page_shows_the_phase_and_deadlines(client, edition, applicant):
    client.force_login(applicant)
    page = client.get(reverse("awards:index"))
    assert page.context["phase"] == Phase.CALL and page.context["accepts_nominations"]
    assert edition.name in page.content.decode()
    factories.make_edition(2030, phase="announced")
    assert client.get(reverse("awards:index")).context["edition"] == edition

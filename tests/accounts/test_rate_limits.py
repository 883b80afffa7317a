"""Login, password reset and invitation links are rate-limited (counters in the cache)."""

import pytest
from django.urls import reverse

from accounts import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_password_reset_requests_for_one_address_are_limited(client, member):
    statuses = [
        client.post(reverse("account_reset_password"), {"email": "member@example.jp"}).status_code
        for _attempt in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429


def test_too_many_invitation_links_from_one_address_get_a_429_in_the_site_look(client):
    paths = [reverse("accounts:invitation", args=[f"guess-{n}"]) for n in range(21)]
    statuses = [client.get(path).status_code for path in paths]
    assert statuses[:20] == [410] * 20
    response = client.get(paths[20])
    assert response.status_code == 429
    assert "試行回数が多すぎます" in response.content.decode()


def test_a_valid_invitation_is_refused_too_once_the_limit_is_reached(
    client, organisation, secretariat
):
    person = factories.make_person(organisation, email="invitee@example.jp")
    invitation = services.invite(person, invited_by=secretariat)
    for n in range(20):
        client.get(reverse("accounts:invitation", args=[f"guess-{n}"]))
    path = reverse("accounts:invitation", args=[services.token_for(invitation)])
    assert client.get(path).status_code == 429
    assert client.get(path, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_behind_a_proxy_each_visitor_has_its_own_limit(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # TRUSTED_PROXY_COUNT=1: one proxy in front
    paths = [reverse("accounts:invitation", args=[f"guess-{n}"]) for n in range(21)]
    for path in paths[:20]:
        client.get(path, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    blocked = client.get(paths[20], REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert blocked.status_code == 429
    other = client.get(paths[20], REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 410  # another visitor through the same proxy

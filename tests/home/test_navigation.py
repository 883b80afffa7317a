"""The portal's menu shows each user the areas the rules let them in."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_navigation_shows_only_allowed_areas(client, applicant):
    client.force_login(applicant)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("awards:index") in body
    assert reverse("dues:index") not in body
    assert reverse("admin:index") not in body

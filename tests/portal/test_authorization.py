"""Each role against each view: the expected answer, and no other organisation's data."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the login page
MFA = "mfa"  # a redirect to two-factor setup

VIEWS = [
    "portal:home", "portal:dashboard", "members:organisation", "members:edit_organisation",
    "members:dues", "members:units",
    "members:directory",
    "awards:index", "newsletter:index", "surveys:index", "admin:index",
]  # fmt: skip

MATRIX = {
    #               home dashboard org  edit   dues  units directory award news surveys admin
    "anonymous":   [200, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200, 200, LOGIN, LOGIN],
    "applicant":   [302, 200, 403, 403, 403, 403, 403, 200, 200, 403, 403],
    "member":      [302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403],
    "judge":       [302, 200, 403, 403, 403, 403, 403, 200, 200, 403, 403],
    "secretariat": [302, 200, 403, 403, 403, 403, 200, 200, 200, 403, MFA],
    "secretariat_with_mfa": [302, 200, 403, 403, 403, 403, 200, 200, 200, 403, 200],
}  # fmt: skip


@pytest.mark.parametrize("role", MATRIX)
def test_each_role_against_each_view(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for view, expected in zip(VIEWS, MATRIX[role], strict=True):
        response = client.get(reverse(view))
        if response.get("Location", "").startswith(reverse("admin:login")):
            # The admin sends visitors through its own login URL first: follow that hop.
            response = client.get(response["Location"])
        status, location = response.status_code, response.get("Location", "")
        if expected == LOGIN:
            assert status == 302, view
            assert location.startswith(reverse("account_login")), view
        elif expected == MFA:
            assert status == 302, view
            assert location == reverse("mfa_activate_totp"), view
        else:
            assert status == expected, view


@pytest.mark.parametrize(
    "view",
    [
        "portal:dashboard",
        "members:organisation",
        "members:edit_organisation",
        "members:dues",
        "members:units",
    ],
)
def test_a_member_sees_only_its_own_organisation(client, member, outsider, view):
    client.force_login(outsider)
    body = client.get(reverse(view)).content.decode()
    assert "公益財団法人京都高度技術研究所" in body
    assert "公益財団法人石川県産業創出支援機構" not in body
    assert "member@example.jp" not in body


def test_navigation_shows_only_allowed_areas(client, applicant):
    client.force_login(applicant)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("awards:index") in body
    assert reverse("members:dues") not in body
    assert reverse("admin:index") not in body

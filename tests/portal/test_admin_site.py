"""The secretariat's admin site (portal/admin_site.py) and its cached changelists
(portal.admin.CachedResultsAdmin): what comes from the cache follows each user's permissions,
the data and the language, and a repeated view reads nothing but the session and the user."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import RegionalBlock
from tests import factories

pytestmark = pytest.mark.django_db

ORGANISATIONS = reverse("admin:members_organisation_changelist")


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def sidebar(html: str) -> str:
    return re.search(r'<nav class="sticky" id="nav-sidebar".*?</nav>', html, re.S).group(0)


@pytest.fixture
def clerk(db):
    """A staff member who may view organisations and people, nothing else."""
    user = factories.make_user("clerk@example.jp", is_staff=True)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    factories.add_totp(user)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_organisation", "view_person"])
    )
    return user


def test_the_sidebar_shows_what_each_user_may_reach_and_follows_changes(
    client, secretariat_with_mfa, clerk, organisation
):
    client.force_login(secretariat_with_mfa)
    everything = sidebar(page(client, ORGANISATIONS))
    assert reverse("admin:members_issuer_add") in everything  # no issuer yet
    assert reverse("admin:members_invoice_changelist") in everything

    client.force_login(clerk)
    own = sidebar(page(client, ORGANISATIONS))
    assert reverse("admin:members_person_changelist") in own
    assert reverse("admin:members_invoice_changelist") not in own  # not the cached one above
    assert reverse("admin:members_organisation_add") not in own
    assert reverse("admin:members_issuer_add") not in own  # no permission to add one
    assert client.get(reverse("admin:members_issuer_add")).status_code == 403

    clerk.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    assert reverse("admin:members_invoice_changelist") in sidebar(page(client, ORGANISATIONS))

    client.force_login(secretariat_with_mfa)
    factories.make_issuer()  # the issuer admin allows one issuer only: no more add link
    assert reverse("admin:members_issuer_add") not in sidebar(page(client, ORGANISATIONS))


def test_the_sidebar_marks_the_current_model_and_speaks_the_language(
    client, secretariat_with_mfa, organisation
):
    client.force_login(secretariat_with_mfa)
    people = reverse("admin:members_person_changelist")

    def current(url) -> list[str]:
        return re.findall(r'<a href="([^"]+)" aria-current="page"', sidebar(page(client, url)))

    assert current(ORGANISATIONS) == [ORGANISATIONS]
    assert current(people) == [people]
    change = reverse("admin:members_organisation_change", args=[organisation.pk])
    assert current(change) == [ORGANISATIONS]
    assert "団体" in sidebar(page(client, ORGANISATIONS))
    client.cookies["django_language"] = "en"
    assert "Organisations" in sidebar(page(client, ORGANISATIONS))


def test_a_repeated_admin_list_reads_only_the_session_and_the_user(
    client, secretariat_with_mfa, organisation
):
    client.force_login(secretariat_with_mfa)
    page(client, ORGANISATIONS)
    with CaptureQueriesContext(connection) as repeated:
        page(client, ORGANISATIONS)
    # The session, the user and the TOTP check of StaffMFAMiddleware: no count, no filter
    # choices, no rows, no "is there an issuer yet?" for the sidebar's add link.
    sql = [q["sql"] for q in repeated]
    assert len(sql) == 3
    listed = ("COUNT(", "members_organisation", "members_regionalblock", "membershipclass")
    assert [s for s in sql if any(word in s for word in listed)] == []


def test_the_cached_list_parts_follow_the_data(client, secretariat_with_mfa, organisation):
    client.force_login(secretariat_with_mfa)
    client.cookies["django_language"] = "en"
    assert "1 organisation" in page(client, ORGANISATIONS)
    factories.make_organisation("第二財団")
    listed = page(client, ORGANISATIONS)
    assert "2 organisations" in listed  # the count, cached under the same stamp
    assert "九州" not in listed
    RegionalBlock.objects.create(name="九州", name_en="Kyushu")
    assert "Kyushu" in page(client, ORGANISATIONS)  # the block filter's choices
    searched = page(client, ORGANISATIONS, q="第二")
    assert "1 result" in searched  # the search form's count
    assert 'value="第二"' in searched


def test_the_cached_list_parts_follow_each_users_permissions(
    client, secretariat_with_mfa, clerk, organisation
):
    client.force_login(secretariat_with_mfa)
    client.cookies["django_language"] = "en"
    full = page(client, ORGANISATIONS)
    assert 'value="delete_selected"' in full
    assert reverse("admin:members_organisation_add") in full

    client.force_login(clerk)
    client.cookies["django_language"] = "en"
    viewed = page(client, ORGANISATIONS)
    assert 'value="delete_selected"' not in viewed  # not the superuser's cached actions
    assert reverse("admin:members_organisation_add") not in viewed
    assert "公益財団法人石川県産業創出支援機構" in viewed


def test_a_failed_action_shows_the_choice_made(client, secretariat_with_mfa, organisation):
    client.force_login(secretariat_with_mfa)
    client.cookies["django_language"] = "en"
    page(client, ORGANISATIONS)  # the action menu is cached unselected
    response = client.post(ORGANISATIONS, {"action": "delete_selected", "index": "0"}, follow=True)
    html = response.content.decode()
    assert "Items must be selected in order to perform actions" in html

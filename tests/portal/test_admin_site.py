"""The secretariat's admin site: its sidebar and lists show each user what their permissions
allow (the issuer admin's one-issuer rule included), in their language."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.urls import reverse

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
    assert reverse("admin:dues_issuer_add") in everything  # no issuer yet
    assert reverse("admin:dues_invoice_changelist") in everything

    client.force_login(clerk)
    own = sidebar(page(client, ORGANISATIONS))
    assert reverse("admin:members_person_changelist") in own
    assert reverse("admin:dues_invoice_changelist") not in own
    assert reverse("admin:members_organisation_add") not in own
    assert reverse("admin:dues_issuer_add") not in own  # no permission to add one
    assert client.get(reverse("admin:dues_issuer_add")).status_code == 403

    clerk.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    assert reverse("admin:dues_invoice_changelist") in sidebar(page(client, ORGANISATIONS))

    client.force_login(secretariat_with_mfa)
    factories.make_issuer()  # the issuer admin allows one issuer only: no more add link
    assert reverse("admin:dues_issuer_add") not in sidebar(page(client, ORGANISATIONS))


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


def test_the_organisation_list_follows_each_users_permissions(
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
    assert 'value="delete_selected"' not in viewed
    assert reverse("admin:members_organisation_add") not in viewed
    assert "公益財団法人石川県産業創出支援機構" in viewed

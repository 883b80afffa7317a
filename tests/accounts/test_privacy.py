"""The privacy policy: a public page, agreed to at sign-up and on accepting an invitation,
recorded on the user with its version; users from before are asked once at their next login."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import services
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "regional-support-2026"
POLICY = "/accounts/privacy/"
CONSENT = "/accounts/privacy/consent/"


def _version() -> str:
    from accounts.privacy import POLICY_VERSION

    return POLICY_VERSION


def _signup(client, **extra):
    return client.post(
        reverse("account_signup"),
        {"email": "applicant@example.jp", "password1": PASSWORD, "password2": PASSWORD, **extra},
    )


def test_the_policy_is_public_in_both_languages(client):
    response = client.get(POLICY)
    assert response.status_code == 200
    page = response.content.decode()
    assert "プライバシーポリシー" in page and "メールマガジン" in page and _version() in page
    client.cookies["django_language"] = "en"
    page = client.get(POLICY).content.decode()
    assert "Privacy policy" in page and "Newsletter" in page
    assert f'href="{POLICY}"' in client.get(reverse("portal:home")).content.decode()


def test_sign_up_asks_for_the_consent_and_records_it(client):
    response = _signup(client)
    assert response.status_code == 200
    assert "プライバシーポリシーに同意" in response.content.decode()
    assert f'href="{POLICY}"' in response.content.decode()
    assert not get_user_model().objects.filter(email="applicant@example.jp").exists()

    response = _signup(client, privacy_consent="on")
    assert response.status_code == 302
    user = get_user_model().objects.get(email="applicant@example.jp")
    assert user.privacy_consent_at is not None
    assert user.privacy_policy_version == _version()


def test_accepting_an_invitation_that_creates_the_account_records_the_consent(client):
    person = factories.make_person(factories.make_organisation(), email="invitee@example.jp")
    invitation = services.invite(person)
    path = reverse("accounts:invitation", args=[services.token_for(invitation)])
    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="invitee@example.jp").exists()

    response = client.post(
        path, {"password1": PASSWORD, "password2": PASSWORD, "privacy_consent": "on"}
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="invitee@example.jp")
    assert user.privacy_policy_version == _version() and user.privacy_consent_at


def _login(client, email, **extra):
    return client.post(
        reverse("account_login") + extra.get("query", ""),
        {"login": email, "password": factories.PASSWORD},
    )


def test_a_user_from_before_the_policy_is_asked_once_at_the_next_login(client):
    user = factories.make_user("earlier@example.jp", consented=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    response = _login(client, user.email, query="?next=/newsletter/")
    assert response.status_code == 302
    assert response["Location"] == f"{CONSENT}?next=%2Fnewsletter%2F"
    page = client.get(response["Location"]).content.decode()
    assert f'href="{POLICY}"' in page and reverse("account_logout") in page  # no dead end

    response = client.post(CONSENT, {"next": "/newsletter/"})
    assert response.status_code == 200  # the box is not ticked
    user.refresh_from_db()
    assert user.privacy_consent_at is None

    response = client.post(CONSENT, {"next": "/newsletter/", "privacy_consent": "on"})
    assert response["Location"] == "/newsletter/"
    user.refresh_from_db()
    assert user.privacy_policy_version == _version() and user.privacy_consent_at

    client.logout()
    assert _login(client, user.email)["Location"] == reverse("portal:dashboard")


def test_the_consent_page_goes_nowhere_outside_the_site(client):
    user = factories.make_user("earlier@example.jp", consented=False)
    client.force_login(user)
    response = client.post(CONSENT, {"next": "https://evil.example/", "privacy_consent": "on"})
    assert response["Location"] == reverse("portal:dashboard")


def test_staff_without_two_factor_agree_first_then_set_it_up(client):
    office = factories.make_user("office@example.jp", is_staff=True, consented=False)
    EmailAddress.objects.create(user=office, email=office.email, verified=True, primary=True)
    response = _login(client, office.email)
    assert response["Location"].startswith(CONSENT)
    assert client.get(response["Location"]).status_code == 200
    response = client.post(CONSENT, {"privacy_consent": "on"}, follow=True)
    assert reverse("mfa_activate_totp") in [url for url, _status in response.redirect_chain]

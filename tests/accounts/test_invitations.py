import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, User
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kanazawa-castle-2026"


@pytest.fixture
def person(organisation):
    return factories.make_person(organisation, email="Invitee@Example.jp")


@pytest.fixture
def invitation(person, secretariat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invite(person, invited_by=secretariat)


def link_path(invitation):
    return reverse("accounts:invitation", args=[services.token_for(invitation)])


def test_invitation_mail_carries_a_working_link(client, invitation, organisation):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["invitee@example.jp"]
    assert organisation.name in message.body
    path = re.search(r"/accounts/invitation/\S+/", message.body).group(0)
    invitation.refresh_from_db()
    assert invitation.sent_at is not None

    response = client.get(path)
    assert response.status_code == 200
    assert organisation.name in response.content.decode()


def test_sending_again_does_not_send_twice(invitation):
    from accounts.tasks import send_invitation

    send_invitation.delay(invitation.pk)
    assert len(mail.outbox) == 1


def test_accepting_sets_password_links_person_and_logs_in(client, invitation, person):
    response = client.post(
        link_path(invitation),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "privacy_consent": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")

    user = User.objects.get(email="invitee@example.jp")
    assert user.check_password(NEW_PASSWORD)
    person.refresh_from_db()
    assert person.user == user
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("members:organisation")).status_code == 200


def test_weak_or_mismatched_passwords_are_explained(client, invitation):
    response = client.post(
        link_path(invitation), {"password1": "123", "password2": "123", "privacy_consent": "on"}
    )
    assert response.status_code == 200
    assert "このパスワードは短すぎます" in response.content.decode()
    response = client.post(
        link_path(invitation),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x", "privacy_consent": "on"},
    )
    assert "2つのパスワードが一致しません" in response.content.decode()
    assert not User.objects.filter(email="invitee@example.jp").exists()


def test_a_link_works_only_once(client, invitation):
    path = link_path(invitation)
    client.post(
        path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "privacy_consent": "on"}
    )
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    response = client.post(
        path,
        {"password1": "other-pass-987", "password2": "other-pass-987", "privacy_consent": "on"},
    )
    assert response.status_code == 410
    assert User.objects.get(email="invitee@example.jp").check_password(NEW_PASSWORD)


def test_expired_link_is_refused(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(link_path(invitation))
    assert response.status_code == 410
    assert "有効期限" in response.content.decode()


def test_tampered_or_revoked_token_is_refused(client, invitation):
    token = services.token_for(invitation)
    assert client.get(reverse("accounts:invitation", args=[token[:-2] + "xx"])).status_code == 410
    Invitation.objects.filter(pk=invitation.pk).update(nonce="revoked")
    assert client.get(reverse("accounts:invitation", args=[token])).status_code == 410


def test_existing_account_accepts_only_when_logged_in_as_itself(client, invitation, person):
    existing = factories.make_user("invitee@example.jp")
    response = client.get(link_path(invitation))
    assert response.templates[0].name == "accounts/invitation_login.html"
    response = client.post(link_path(invitation))
    assert response.templates[0].name == "accounts/invitation_login.html"
    person.refresh_from_db()
    assert person.user is None

    client.force_login(existing)
    response = client.post(link_path(invitation))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user == existing


def test_secretariat_invites_from_the_person_admin(client, secretariat_with_mfa, person):
    client.force_login(secretariat_with_mfa)
    response = client.post(
        reverse("admin:members_person_changelist"),
        {"action": "invite", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(person=person).count() == 1

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from members.permissions import Roles, roles_of

pytestmark = pytest.mark.django_db

PASSWORD = "regional-support-2026"


def test_applicant_signs_up_and_must_verify_the_email(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.applicant@example.jp",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    address = EmailAddress.objects.get(email="new.applicant@example.jp")
    assert not address.verified

    # Unverified: logging in leads back to the verification notice, not the portal.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new.applicant@example.jp", "password": PASSWORD}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    confirm = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    response = client.post(confirm)
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified

    response = client.post(
        reverse("account_login"), {"login": "new.applicant@example.jp", "password": PASSWORD}
    )
    assert response["Location"] == reverse("portal:dashboard")
    user = address.user
    assert roles_of(user) == Roles(authenticated=True)


def test_sign_up_does_not_make_anyone_a_member(client, organisation):
    client.post(
        reverse("account_signup"),
        {
            "email": "sneaky@example.jp",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "privacy_consent": "on",
        },
    )
    user = EmailAddress.objects.get(email="sneaky@example.jp").user
    assert not roles_of(user).member

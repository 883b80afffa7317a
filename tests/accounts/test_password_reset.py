import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_reset_flow_sets_a_new_password(client, member):
    response = client.post(reverse("account_reset_password"), {"email": "member@example.jp"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@example.jp"]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", message.body).group(0)

    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    response = client.post(
        form_url, {"password1": "a-brand-new-secret-7", "password2": "a-brand-new-secret-7"}
    )
    assert response.status_code == 302

    member.refresh_from_db()
    assert member.check_password("a-brand-new-secret-7")


def test_reset_for_unknown_address_reveals_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.jp"})
    assert response.status_code == 302
    assert all("reset/key" not in m.body for m in mail.outbox)


FORGED = "127.0.0.1:1337"


@pytest.fixture
def forged_host_accepted(settings):
    """ALLOWED_HOSTS lets the forged host through (it checks no port): the links must not
    depend on it."""
    settings.SITE_URL = "https://portal.innonet.example"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "portal.innonet.example"]


def test_the_reset_link_is_built_from_site_url_not_the_host(
    client, member, forged_host_accepted, smtp_server
):
    client.post(
        reverse("account_reset_password"), {"email": "member@example.jp"}, HTTP_HOST=FORGED
    )

    [message] = smtp_server.messages()
    body = message.get_body(("plain",)).get_content()
    assert "https://portal.innonet.example/accounts/password/reset/key/" in body
    assert "1337" not in body and "127.0.0.1" not in body


SIGNUP = {
    "password1": "a-brand-new-secret-7",
    "password2": "a-brand-new-secret-7",
    "privacy_consent": "on",
}


@pytest.mark.parametrize(
    ("view", "data", "link"),
    [
        # A reset for an address without an account: the mail offers to sign up.
        ("account_reset_password", {"email": "nobody@example.jp"}, "/accounts/signup/"),
        # A signup: the confirmation link.
        ("account_signup", {"email": "new@example.jp", **SIGNUP}, "/accounts/confirm-email/"),
        # A signup with an address that has an account: the mail offers a reset.
        ("account_signup", {"email": "member@example.jp", **SIGNUP}, "/accounts/password/reset/"),
    ],
)
def test_every_link_allauth_mails_is_built_from_site_url(
    client, member, forged_host_accepted, smtp_server, view, data, link
):
    client.post(reverse(view), data, HTTP_HOST=FORGED)

    [message] = smtp_server.messages()
    body = message.get_body(("plain",)).get_content()
    assert "https://portal.innonet.example" + link in body
    assert "1337" not in body and "127.0.0.1" not in body

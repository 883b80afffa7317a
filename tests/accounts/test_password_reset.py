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

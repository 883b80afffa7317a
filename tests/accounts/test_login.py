import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_and_logout(client, member):
    response = login(client, "member@example.jp")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    assert client.get(reverse("portal:dashboard")).status_code == 200

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client, member):
    response = login(client, "member@example.jp", "not-the-password")
    assert response.status_code == 200
    assert "メールアドレスもしくはパスワードが正しくありません" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_rate_limited(client, member):
    for _attempt in range(5):
        login(client, "member@example.jp", "wrong")
    response = login(client, "member@example.jp", PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "ログイン失敗が連続しています" in response.content.decode()


def test_demo_accounts_are_refused_when_debug_is_off(client, settings, member):
    member.is_demo = True
    member.save()
    settings.DEBUG = False
    response = login(client, "member@example.jp")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "デモアカウント" in response.content.decode()


def test_demo_accounts_work_while_debug_is_on(client, settings, member):
    member.is_demo = True
    member.save()
    settings.DEBUG = True
    assert login(client, "member@example.jp").status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)

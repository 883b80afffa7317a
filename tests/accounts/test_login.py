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


@pytest.mark.parametrize("debug", [False, True])
def test_demo_accounts_log_in_only_while_debug_is_on(client, settings, member, debug):
    member.is_demo = True
    member.save()
    settings.DEBUG = debug
    response = login(client, "member@example.jp")
    if debug:
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(member.pk)
    else:
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert "デモアカウント" in response.content.decode()

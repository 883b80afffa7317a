import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_portal_login(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert response.templates[0].name == "account/login.html"


def test_staff_without_mfa_is_sent_to_mfa_setup(client, secretariat):
    client.force_login(secretariat)
    for url in (reverse("admin:index"), reverse("admin:members_organisation_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before showing the TOTP secret.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert response.templates[0].name == "mfa/totp/activate_form.html"


def test_the_set_up_warning_is_given_once_however_many_pages_were_refused(client, secretariat):
    """Downloads render no page: their refusals queued the warning once each."""
    client.force_login(secretariat)
    for url in ("/admin/", "/admin/members/organisation/", "/admin/dues/invoice/"):
        client.get(url)

    response = client.get(reverse("account_reauthenticate"))

    warnings = [str(message) for message in get_messages(response.wsgi_request)]
    assert warnings == [
        "事務局アカウントでポータルを利用するには、事前に二要素認証の設定が必要です。"
    ]


def test_staff_with_totp_opens_the_admin(client, secretariat_with_mfa):
    client.force_login(secretariat_with_mfa)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "イノベーションネット事務局" in response.content.decode()


def test_login_of_staff_with_totp_asks_for_the_code(client, secretariat_with_mfa):
    response = client.post(
        reverse("account_login"), {"login": "office@example.jp", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_non_staff_cannot_open_the_admin(client, member):
    client.force_login(member)
    assert client.get(reverse("admin:index"), follow=True).status_code == 403


@pytest.mark.parametrize("url_name", ["account_email", "account_change_password", "mfa_index"])
def test_account_pages_link_to_each_other(client, member, url_name):
    client.force_login(member)
    body = client.get(reverse(url_name)).content.decode()
    for target in ("account_email", "account_change_password", "mfa_index"):
        assert f'href="{reverse(target)}"' in body
    assert 'aria-current="page"' in body

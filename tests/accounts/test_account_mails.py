"""allauth's mails are the portal's: its own texts in Japanese and English, signed by the
secretariat, the site named by its name, never by its host and port."""

from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-brand-new-secret-7"
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
# Every mail allauth can send, whether or not the portal switches it on today.
ALLAUTH_MAILS = sorted(
    str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_message.txt")
    for folder in ("account/email", "mfa/email")
    for path in (ALLAUTH_TEMPLATES / folder).glob("*_message.txt")
    if not path.name.startswith("base_")  # the frame the others extend
)


def _assert_the_portals(message, *, secretariat, site):
    body = message.body
    assert "こんにちは" not in body and "Hello from" not in body
    assert "127.0.0.1:8000 です" not in body and "Thank you for using" not in body
    assert body.rstrip().splitlines()[-3:-1] == [secretariat, site]


def test_the_password_reset_mail_is_the_portals_own_in_japanese(client, member):
    client.post(reverse("account_reset_password"), {"email": "member@example.jp"})
    (message,) = mail.outbox
    assert message.subject == "[イノベーションネット] パスワードの再設定"
    assert "パスワードを再設定" in message.body
    _assert_the_portals(
        message, secretariat="イノベーションネット事務局", site="イノベーションネット会員ポータル"
    )


def test_the_sign_up_confirmation_is_the_portals_own_in_english(client):
    client.cookies["django_language"] = "en"
    client.post(
        reverse("account_signup"),
        {
            "email": "new.applicant@example.jp",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "privacy_consent": "on",
        },
    )
    (message,) = mail.outbox
    assert message.subject == "[Innovation Net] Please confirm your email address"
    assert "/accounts/confirm-email/" in message.body
    _assert_the_portals(
        message, secretariat="Innovation Net secretariat", site="Innovation Net member portal"
    )


@pytest.mark.parametrize("template", ALLAUTH_MAILS)
@pytest.mark.parametrize(
    ("language", "secretariat", "site"),
    [
        ("ja", "イノベーションネット事務局", "イノベーションネット会員ポータル"),
        ("en", "Innovation Net secretariat", "Innovation Net member portal"),
    ],
)
def test_every_mail_allauth_can_send_is_signed_by_the_secretariat(
    template, language, secretariat, site
):
    user = factories.make_user("someone@example.jp")
    request = RequestFactory().get("/")
    request.user = user
    context = {
        "user": user,
        "email": user.email,
        "activate_url": "https://portal.example/accounts/confirm-email/key/",
        "password_reset_url": "https://portal.example/accounts/password/reset/key/x/",
        "signup_url": "https://portal.example/accounts/signup/",
        "ip": "192.0.2.1",
        "user_agent": "Firefox",
        "timestamp": timezone.now(),
        "code": "",
    }
    from allauth.core import context as allauth_context

    with translation.override(language), allauth_context.request_context(request):
        get_adapter().send_mail(template, user.email, context)
    (message,) = mail.outbox
    _assert_the_portals(message, secretariat=secretariat, site=site)

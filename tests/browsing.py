"""Helpers for the end-to-end tests in Chromium (the browser itself is in conftest.py)."""

import time

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

SIGN_IN = {"ja": "ログイン", "en": "Sign In"}
LABELS = {"ja": ("メールアドレス", "パスワード"), "en": ("Email", "Password")}


def with_totp(user) -> str:
    """Turn on TOTP for `user`; the secret, to compute codes with."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def log_in(page, base, email, password, *, next_url="/", totp_secret=None, language="ja"):
    """Log in through the real form (and the TOTP step for staff), ending at `next_url`."""
    page.goto(f"{base}/accounts/login/?next={next_url}")
    email_label, password_label = LABELS[language]
    page.get_by_label(email_label).fill(email)
    page.get_by_label(password_label).fill(password)
    page.locator("main").get_by_role("button", name=SIGN_IN[language]).click()
    if totp_secret:
        # allauth accepts only the current 30-second window: never type a code about to expire.
        remaining = 30 - time.time() % 30
        if remaining < 5:
            time.sleep(remaining + 0.5)
        counter = int(time.time()) // 30
        page.locator("input[name=code]").fill(format_hotp_value(hotp_value(totp_secret, counter)))
        page.locator("main").get_by_role("button", name=SIGN_IN[language]).click()
    page.wait_for_url(f"{base}{next_url}")


def log_out(page, base):
    page.context.clear_cookies()
    page.goto(f"{base}/")

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


def totp_code(secret) -> str:
    """The current TOTP code; allauth accepts only the current 30-second window, so this
    waits for the next one rather than return a code about to expire."""
    remaining = 30 - time.time() % 30
    if remaining < 5:
        time.sleep(remaining + 0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(page, base, email, password, *, next_url="/", totp_secret=None, language="ja"):
    """Log in through the real form (and the TOTP step for staff), ending at `next_url`."""
    page.goto(f"{base}/accounts/login/?next={next_url}")
    email_label, password_label = LABELS[language]
    page.get_by_label(email_label).fill(email)
    page.get_by_label(password_label).fill(password)
    page.locator("main").get_by_role("button", name=SIGN_IN[language]).click()
    if totp_secret:
        page.locator("input[name=code]").fill(totp_code(totp_secret))
        page.locator("main").get_by_role("button", name=SIGN_IN[language]).click()
    page.wait_for_url(f"{base}{next_url}")


def log_out(page, base):
    page.context.clear_cookies()
    page.goto(f"{base}/")


# --- Keyboard only ----------------------------------------------------------------------

_FOCUSED = """([selector, name]) => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  if (selector && !el.matches(selector)) return false;
  if (name === null) return true;
  const texts = [el.getAttribute("aria-label"), el.id, el.textContent, el.value,
                 ...Array.from(el.labels || [], (label) => label.textContent)];
  return texts.filter(Boolean).some((text) => text.replace(/\\s+/g, " ").trim().startsWith(name));
}"""


def tab_to(page, selector=None, *, name=None, max_tabs=80, backwards=False):
    """Press Tab (Shift+Tab) until the focused element matches the CSS `selector` and/or
    starts its accessible name (aria-label, id, text, value or label) with `name`."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(max_tabs):
        page.keyboard.press(key)
        if page.evaluate(_FOCUSED, [selector, name]):
            return
    raise AssertionError(f"{max_tabs} × {key} never reached {selector or ''} {name or ''}")


def focus_is_visible(page) -> bool:
    """Whether the focused element shows a focus indicator: an outline or a box-shadow."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
          return el.matches(":focus-visible") && (outline || style.boxShadow !== "none");
        }"""
    )

"""Every page carries the security headers and a strict CSP, and needs no inline code."""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from tests.factories import make_issuer
from tests.urlpatterns import routes

pytestmark = pytest.mark.django_db

# Webhooks for the mail provider (POST only, basic auth) and the allauth flows that need a
# pending login or a key first are not pages one can open.
NOT_PAGES = ("anymail:", "account_confirm_login_code", "mfa_authenticate")
STRICT = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
          "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'")  # fmt: skip
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")


def pages(*, admin: bool):
    for route in routes():
        if route.takes_arguments or not route.name or route.name.startswith(NOT_PAGES):
            continue
        if route.name.startswith("admin:") and not admin:
            continue
        try:
            yield reverse(route.name)
        except NoReverseMatch:  # an optional regex group (none of ours)
            continue


def check_page(client, url):
    response = client.get(url)
    assert response.status_code < 500, url
    csp = response["Content-Security-Policy"]
    for directive in STRICT:
        assert directive in csp, (url, directive)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    assert response["X-Frame-Options"] == "DENY", url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), (url, INLINE_SCRIPT.search(body).group(0))
        assert " style=" not in body, url
        assert "<style" not in body, url
        # Event handler attributes are inline script too.
        assert not re.search(r"<[^>]+\son[a-z]+=", body), url
    return response.status_code


@pytest.mark.parametrize("role", ["anonymous", "member", "applicant"])
def test_every_page_for_visitors_and_members(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    statuses = [check_page(client, url) for url in pages(admin=False)]
    assert statuses.count(200) >= 10


def test_every_page_for_the_secretariat_admin_included(client, secretariat_with_mfa):
    make_issuer()
    client.force_login(secretariat_with_mfa)
    statuses = [check_page(client, url) for url in pages(admin=True)]
    assert statuses.count(200) >= 100

import pytest

pytestmark = pytest.mark.django_db


def test_strict_content_security_policy_and_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_carry_no_inline_script_or_style(client):
    body = client.get("/").content.decode()
    assert "<script>" not in body
    assert " style=" not in body
    assert "<style" not in body

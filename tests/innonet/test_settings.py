"""The settings boot on the embedded default and pass `check --deploy` in production."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from innonet.settings import database_from_url, email_from_url, env_bool
from tests.processes import manage

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "x7Qz9" * 12,
    "SITE_URL": "https://portal.innonet.example",
    "DATABASE_URL": "postgres://innonet:secret@db:5432/innonet",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "CACHE_URL": "redis://redis:6379/1",
    "EMAIL_URL": "smtp+tls://relay.innonet.example:587",
}


def test_embedded_default_boots():
    script = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.EMAIL_BACKEND, s.LANGUAGE_CODE, s.TIME_ZONE, s.USE_TZ)"
    )
    result = manage("shell", "--verbosity", "0", "-c", script, env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.postgresql",
        "False",
        "django.core.mail.backends.console.EmailBackend",
        "ja",
        "Asia/Tokyo",
        "True",
    ]
    assert manage("check", env={}).returncode == 0


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_cookies_are_secure_and_https_is_enforced():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    ]
    script = "from django.conf import settings as s; " + "; ".join(
        f"print(s.{name}, s.SECURE_HSTS_SECONDS)" for name in names
    )
    result = manage("shell", "--no-imports", "-c", script, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:-1] == ["True 31536000"] * len(names)


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize("name", ["DATABASE_URL", "CELERY_BROKER_URL"])
def test_production_names_its_database_and_broker(name):
    result = manage("check", env={k: v for k, v in PRODUCTION.items() if k != name})
    assert result.returncode != 0
    assert f"{name} is required" in result.stderr


def test_malformed_values_fail_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://db/innonet")
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL only"):
        database_from_url("sqlite:///db.sqlite3")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_from_url("carrier-pigeon://loft")
    with pytest.raises(ImproperlyConfigured, match="API key"):
        email_from_url("resend://api.resend.com")


def test_urls_are_parsed():
    db = database_from_url("postgres://u%40x:p%2Fw@db.example:6543/innonet?sslmode=require")
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "u@x", "p/w", "db.example", "6543", "innonet",
    )  # fmt: skip
    assert db["OPTIONS"] == {"sslmode": "require"}
    socket = database_from_url("postgres://postgres@:5433/innonet?host=%2Fsrv%2Fpg")
    assert (socket["HOST"], socket["PORT"], socket["NAME"]) == ("/srv/pg", "5433", "innonet")
    assert "host" not in socket["OPTIONS"]
    mail = email_from_url("smtp+tls://user:pw@relay.example:587")
    assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"], mail["EMAIL_USE_TLS"]) == (
        "relay.example", 587, True,
    )  # fmt: skip
    resend = email_from_url("resend://re_a%2Fb@api.resend.com")
    assert resend == {
        "EMAIL_BACKEND": "outbox.http_api.EmailBackend",
        "ANYMAIL_RESEND_API_KEY": "re_a/b",
        "ANYMAIL_RESEND_API_URL": "https://api.resend.com/",
    }
    stand_in = email_from_url("resend+http://re_test@127.0.0.1:8089")
    assert stand_in["ANYMAIL_RESEND_API_URL"] == "http://127.0.0.1:8089/"

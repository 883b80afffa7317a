"""Shared fixtures. The suite runs on real PostgreSQL and Redis and refuses anything else."""

import os
from pathlib import Path

import pytest
import redis
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache

from members.permissions import JUDGES_GROUP
from tests import factories


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        raise pytest.UsageError(
            f"The tests need PostgreSQL, not {engine}: run them with `make test`, "
            "which sets DATABASE_URL (see README)."
        )
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        raise pytest.UsageError("The tests need Redis: set CELERY_BROKER_URL (see `make test`).")
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL).ping()
    except redis.RedisError as exc:
        raise pytest.UsageError(
            f"Redis at {settings.CELERY_BROKER_URL} does not answer: {exc}"
        ) from exc


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the (Redis) cache: each test starts without them."""
    cache.clear()
    yield
    cache.clear()


def _login_user(email, **flags):
    user = factories.make_user(email, **flags)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def organisation(db):
    return factories.make_organisation("公益財団法人石川県産業創出支援機構", short_name="ISICO")


@pytest.fixture
def other_organisation(db):
    return factories.make_organisation("公益財団法人京都高度技術研究所", short_name="ASTEM")


@pytest.fixture
def member(organisation):
    user = _login_user("member@example.jp")
    factories.make_person(organisation, user=user, email="member@example.jp")
    return user


@pytest.fixture
def primary_contact(member):
    """The member's user as its organisation's primary contact, who manages logins."""
    return _with_role(member, "primary")


def _with_role(user, kind):
    from members.services import assign_role

    assign_role(user.person, kind)
    return user


@pytest.fixture
def billing_contact(member):
    """The member's user as its organisation's billing contact, who commits its money (units,
    billing details) but manages no logins."""
    return _with_role(member, "billing")


@pytest.fixture
def representative(member):
    """The member's user as its organisation's representative (代表者)."""
    return _with_role(member, "representative")


@pytest.fixture
def outsider(other_organisation):
    """A member contact of another organisation: must never see `organisation`'s data."""
    user = _login_user("outsider@example.jp")
    factories.make_person(other_organisation, user=user, email="outsider@example.jp")
    return user


@pytest.fixture
def applicant(db):
    return _login_user("applicant@example.jp")


@pytest.fixture
def judge(db):
    user = _login_user("judge@example.jp")
    user.groups.add(Group.objects.get_or_create(name=JUDGES_GROUP)[0])
    return user


@pytest.fixture
def secretariat(db):
    return _login_user("office@example.jp", is_staff=True, is_superuser=True)


@pytest.fixture
def secretariat_with_mfa(secretariat):
    factories.add_totp(secretariat)
    return secretariat


@pytest.fixture
def staff_without_permissions(db):
    """Staff with two-factor but no model permission: opens no staff page, in the admin or
    outside it."""
    user = _login_user("clerk@example.jp", is_staff=True)
    factories.add_totp(user)
    return user


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; the portal's mail goes to it."""
    from tests.smtp import SMTPServer

    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server.recorder


# --- End-to-end: real headless Chromium from Debian, driven by Playwright -------------


@pytest.fixture
def portal(transactional_db, tmp_path):
    """The portal as `make run` runs it (web server, worker and beat in their own
    processes, tests/portal_process.py) on this test's database; its mail goes to a real
    SMTP server on loopback (`portal.mail`)."""
    from django.db import connection

    from tests.portal_process import database_url, running_portal
    from tests.smtp import SMTPServer

    with (
        SMTPServer() as smtp,
        running_portal(
            tmp_path / "portal",
            DATABASE_URL=database_url(connection.settings_dict),
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        ) as running,
    ):
        running.mail = smtp.recorder
        yield running


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(
    os.environ.get("ARTIFACTS_DIR", Path(__file__).resolve().parent.parent / "artifacts")
)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session; never a browser downloaded by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise pytest.UsageError(f"No Chromium at {CHROMIUM}: run `make test` (installs it).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make around it are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts():
    """Where end-to-end tests save screenshots (kept by CI as test artifacts)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS

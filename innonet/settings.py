"""Settings for the Innovation Net member portal.

One module, driven by environment variables. With none set, the portal runs on the
embedded default that `make run` starts (innonet/embedded.py: PostgreSQL from a wheel, a
Celery worker on a folder broker, mail on the console, DEBUG on). Production sets
DEBUG=false and the variables listed in README.md; a missing or malformed value fails
at start-up rather than at the first request.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from innonet import embedded

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Environment variable {name} is required.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """postgres://user:pass@host:port/name?options into a DATABASES entry; a Unix socket
    folder goes in the query (?host=/path), as libpq takes it."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported: the portal runs on "
            "PostgreSQL only (postgres://…)."
        )
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or options.pop("host", ""),
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


def email_from_url(url: str) -> dict:
    """console://, locmem://, smtp[+tls|+ssl]://user:pass@host:port or
    resend[+http]://api-key@host[:port] (Resend's HTTP API) into EMAIL_* settings."""
    parts = urlsplit(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
        "resend": "outbox.http_api.EmailBackend",
        "resend+http": "outbox.http_api.EmailBackend",  # a local stand-in, never production
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not supported.")
    config = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme.startswith("resend"):
        if not parts.username:
            raise ImproperlyConfigured("EMAIL_URL resend://… needs the API key as its user.")
        scheme = "http" if parts.scheme == "resend+http" else "https"
        host = parts.netloc.rpartition("@")[2] or "api.resend.com"
        config.update(
            ANYMAIL_RESEND_API_KEY=unquote(parts.username),
            ANYMAIL_RESEND_API_URL=f"{scheme}://{host}/",
        )
    if parts.scheme.startswith("smtp"):
        config.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or 25,
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_TLS=parts.scheme == "smtp+tls",
            EMAIL_USE_SSL=parts.scheme == "smtp+ssl",
            EMAIL_TIMEOUT=env_int("EMAIL_TIMEOUT", 30),
        )
    return config


# --- Core --------------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "embedded-default-insecure-key" if DEBUG else None)
# Former keys, still accepted for signatures made with them (sessions, reset and unsubscribe
# links) while a new SECRET_KEY is rolled out; remove them after the links' lifetime.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_IS_HTTPS = urlsplit(SITE_URL).scheme == "https"
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [urlsplit(SITE_URL).hostname or ""],
)
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "simple_history",
    "anymail",
    "accounts",
    "portal",
    "outbox",  # the mail engine, under every app that sends bulk mail
    "members",
    "dues",
    "awards",
    "newsletter",
    "surveys",
    "assemblies",
    "proposals",  # regional issues, endorsements and the proposals to the state
    "events",  # meetings and training: bills fees through dues, asks feedback through surveys
    "home",
]

MIDDLEWARE = [
    # First, so that every response (redirects included) and every log line has the id.
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "members.permissions.RolesMiddleware",
    # After the roles (its page shows the menu), before anything reads the body.
    "portal.middleware.RequestSizeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "innonet.urls"
WSGI_APPLICATION = "innonet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.navigation",
            ],
        },
    },
]

# Production names its database; the embedded default is the server `make run` starts.
DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", embedded.database_url() if DEBUG else None)
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """locmem:// (one process only) or redis://host:port/db (shared by every process)."""
    scheme = urlsplit(url).scheme
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(f"CACHE_URL scheme {scheme!r} is not supported.")


# Login rate limits and MFA code replay checks live in the cache: production shares it
# between processes through Redis.
CACHES = {"default": cache_from_url(env_str("CACHE_URL", "locmem://"))}

# --- Accounts ----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalAuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"

ACCOUNT_FORMS = {
    "login": "accounts.forms.PortalLoginForm",
    "signup": "accounts.forms.PortalSignupForm",
}
# Links in allauth's mails are built from SITE_URL, never from the request's Host.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_IS_HTTPS else "http"
# allauth's defaults, written out so that nobody switches them off by accident.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    # Ours (accounts/views.py): opening an invitation link, GET included, so that nobody
    # probes for valid links.
    "accept_invitation": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Innovation Net"
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)

# --- Internationalisation ----------------------------------------------------

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# English times on the 24-hour clock (innonet/formats/en/formats.py).
FORMAT_MODULE_PATH = ["innonet.formats"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the npm registry at install time (package.json).
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Mail --------------------------------------------------------------------

vars().update(email_from_url(env_str("EMAIL_URL", "console://")))
# Who signs every mail (allauth's too) and what the site is called in mails and headers:
# translated names, never the host and port (portal.mail.signature_context).
SECRETARIAT_NAME = _("Innovation Net secretariat")
SITE_NAME = _("Innovation Net member portal")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "イノベーションネット事務局 <office@innonet.example>"
)
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Bulk mail (outbox/engine.py). Message-IDs are <m{mailing}.d{delivery}@this domain>.
MAIL_MESSAGE_ID_DOMAIN = env_str(
    "MAIL_MESSAGE_ID_DOMAIN", urlsplit(SITE_URL).hostname or "localhost"
)
# Senders at once across all mailings, each with one connection to the relay (keep it within
# the relay's connection limit, and below the worker's concurrency so that other tasks run).
MAILING_PARALLEL_TASKS = env_int("MAILING_PARALLEL_TASKS", 4)
MAILING_BATCH_SIZE = env_int("MAILING_BATCH_SIZE", 200)
# A sender's claim on its batch, renewed every third of it while it works; rows of a sender
# that died and was not restarted go to others after this. A wait on the relay is cut at a
# sixth of it (10 s by default).
MAILING_LEASE_SECONDS = env_int("MAILING_LEASE_SECONDS", 60)
MAILING_MAX_ATTEMPTS = env_int("MAILING_MAX_ATTEMPTS", 5)
MAILING_RETRY_SECONDS = env_int("MAILING_RETRY_SECONDS", 60)  # doubled after each attempt
MAILING_MAX_FAILURES_IN_A_ROW = env_int("MAILING_MAX_FAILURES_IN_A_ROW", 50)
# Messages per second through the relay, across all workers; 0 for no limit.
MAILING_RATE_PER_SECOND = env_int("MAILING_RATE_PER_SECOND", 0)
# Resend's HTTP API (EMAIL_URL=resend://…): tries again after a 429 or 5xx, waiting Retry-After
# or 1, 2, 4… s, at most this long each time; then the engine retries the delivery later.
MAILING_API_RETRIES = env_int("MAILING_API_RETRIES", 3)
MAILING_API_MAX_WAIT_SECONDS = env_int("MAILING_API_MAX_WAIT_SECONDS", 10)

# Newsletter. The List-Unsubscribe mailto; mail to it reaches the portal through the
# provider's inbound webhook (django-anymail).
NEWSLETTER_UNSUBSCRIBE_MAILTO = env_str(
    "NEWSLETTER_UNSUBSCRIBE_MAILTO", f"unsubscribe@{MAIL_MESSAGE_ID_DOMAIN}"
)
# Bounce score (hard 1, soft 0.5, once a day) at which mail to an address stops.
NEWSLETTER_BOUNCE_THRESHOLD = env_int("NEWSLETTER_BOUNCE_THRESHOLD", 3)

# Attachments (award entries, assembly agenda documents; portal/uploads.py): checked by
# content, stored under random names and served only through a view that checks who asks.
AWARD_ATTACHMENT_MAX_BYTES = env_int("AWARD_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
AWARD_ATTACHMENTS_PER_ENTRY = env_int("AWARD_ATTACHMENTS_PER_ENTRY", 5)
# An Office file is a ZIP: refused when it would unpack to more than this (zip bombs).
AWARD_ATTACHMENT_MAX_INFLATED_BYTES = env_int(
    "AWARD_ATTACHMENT_MAX_INFLATED_BYTES", 100 * 1024 * 1024
)
AWARD_ATTACHMENT_MAX_ZIP_MEMBERS = env_int("AWARD_ATTACHMENT_MAX_ZIP_MEMBERS", 2000)

# Request bodies. The whole body, files included, as the proxy's client_max_body_size
# (docs/runbook.md): larger is refused with 413 (portal.middleware.RequestSizeMiddleware).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 20 * 1024 * 1024)
# Django's own: the form fields apart from files (more is a 400), the fields and files in
# one request, and the size up to which an uploaded file is held in memory (larger ones
# are written to a temporary file; not a limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 20)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# The provider's webhooks (bounces, complaints, inbound mail) at /anymail/<provider>/…, with
# HTTP basic auth "user:password"; unset, a random secret nobody knows refuses every call.
ANYMAIL = {
    "WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET", "") or f"unset:{secrets.token_urlsafe(32)}"
}
# The provider whose webhooks are routed (anymail's name for it); no other provider's are.
MAIL_WEBHOOK_PROVIDER = env_str("MAIL_WEBHOOK_PROVIDER", "resend")

# --- Backups -----------------------------------------------------------------

# `manage.py backup` (and the beat entry "backup") writes one set per run here: a
# pg_dump (custom format), a tar.gz of MEDIA_ROOT and a manifest; see docs/runbook.md.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))
# Sets kept (the newest); older ones are deleted after each backup.
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
if BACKUP_KEEP < 1:
    raise ImproperlyConfigured("BACKUP_KEEP must be at least 1.")

# --- Celery ------------------------------------------------------------------

# Production names its broker (redis://); the embedded default passes messages through a
# project folder (kombu's filesystem transport) to the worker `make run` starts beside the
# web server. Tasks never run inside a request, except in tests that ask for it
# (CELERY_TASK_ALWAYS_EAGER=true).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost/" if DEBUG else None)
if urlsplit(CELERY_BROKER_URL).scheme == "filesystem":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(embedded.BROKER_FOLDER),
        "data_folder_out": str(embedded.BROKER_FOLDER),
        "control_folder": str(embedded.BROKER_FOLDER / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
HEALTHZ_BROKER_TIMEOUT = env_int("HEALTHZ_BROKER_TIMEOUT", 2)
CELERY_BEAT_SCHEDULE = {
    # Reminder rules (days after the due date) are data in the admin; this only wakes them.
    "dues-reminders": {
        "task": "dues.tasks.send_dues_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # Newsletter issues scheduled for later start when their time comes.
    "start-due-issues": {
        "task": "newsletter.tasks.start_due_issues",
        "schedule": 60.0,
    },
    # Survey reminders: each survey's limit and spacing are data; this only wakes them.
    "survey-reminders": {
        "task": "surveys.tasks.send_reminders",
        "schedule": crontab(hour=9, minute=30),
    },
    # A general assembly's voter roll is frozen just after its record date ends.
    "freeze-voter-rolls": {
        "task": "assemblies.tasks.freeze_due_rolls",
        "schedule": crontab(hour=0, minute=5),
    },
    # Events: the day-before reminders, and offers from the waiting list that lapsed.
    "event-reminders": {
        "task": "events.tasks.send_reminders",
        "schedule": crontab(hour=10, minute=0),
    },
    "expire-event-offers": {
        "task": "events.tasks.expire_offers",
        "schedule": crontab(minute="*/15"),
    },
    # Picks up mailings whose workers died or whose retries are due.
    "resume-mailings": {
        "task": "outbox.tasks.resume_mailings",
        "schedule": 60.0,
    },
    # The nightly backup into BACKUP_DIR (03:00 in TIME_ZONE); see docs/runbook.md.
    "backup": {
        "task": "portal.tasks.run_backup",
        "schedule": crontab(hour=3, minute=0),
    },
}

# --- Security ----------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("USE_X_FORWARDED_PROTO", False) else None
)
# Behind a reverse proxy: how many proxies append to X-Forwarded-For, so that the login,
# reset and invitation rate limits count the visitor's address, not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SITE_IS_HTTPS and not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SITE_IS_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SITE_IS_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SITE_IS_HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = SITE_IS_HTTPS
CSRF_COOKIE_SECURE = SITE_IS_HTTPS
LANGUAGE_COOKIE_SECURE = SITE_IS_HTTPS
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging -----------------------------------------------------------------

# One JSON object per line in production (LOG_FORMAT=json, the default when DEBUG is off),
# plain text on the embedded default; every record carries request_id, and task_id and
# task_name inside a task (portal/logging.py). Celery's worker and beat use this too.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "portal.logging.ContextFilter"},
        "refusals": {"()": "portal.logging.RefusalFilter"},
    },
    "formatters": {
        "json": {"()": "portal.logging.JSONFormatter", "tz": TIME_ZONE},
        "text": {"()": "portal.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # The PDF font subsetter logs every glyph at INFO.
        "fontTools": {"level": "WARNING"},
        # Django's own handlers (mail to ADMINS, console only while DEBUG) are replaced by
        # the root handler, so that its request errors are JSON lines too.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # A refusal the code meant (403, 404) is one line, without its traceback.
        "django.request": {"filters": ["refusals"], "level": "INFO", "propagate": True},
    },
}

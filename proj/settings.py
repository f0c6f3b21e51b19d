"""Django settings for Tally, read from environment variables (documented in README.md)."""

import logging
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from proj.database import database_settings
from proj.logconfig import logging_config
from proj.networks import parse_networks
from proj.sentry import init_sentry

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Core

DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string, or set DEBUG=1 for local development; manage.py also finds the key that "
            "`make run` keeps in .data/secret_key."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_structlog",
    "accounts",
    "sites",
    "visits",
]

MIDDLEWARE = [
    "proj.middleware.RequestIdMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "proj.api.errors.DatabaseUnavailableMiddleware",  # inside: it settles request.user for it
    "django.middleware.security.SecurityMiddleware",
    "proj.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "proj.api.errors.SessionMiddleware",  # Django's, answering 503 when the save fails
    "django.middleware.common.CommonMiddleware",
    "proj.api.bodies.ChunkedBodyMiddleware",  # before CSRF, which may read a form body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "proj.api.methods.MethodNotAllowedMiddleware",  # after the others: a view's last gate
]

ROOT_URLCONF = "proj.urls"
WSGI_APPLICATION = "proj.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "proj" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL, or an embedded PostgreSQL under .data/ when it is unset.

DATABASES = {
    "default": database_settings(
        url=os.environ.get("DATABASE_URL"), data_dir=BASE_DIR / ".data" / "postgres"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: throttling counters and other short-lived shared state, in PostgreSQL so that every
# worker sees the same counts without another server (`manage.py createcachetable` makes it).

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tally_cache",
    }
}

# Users and passwords

AUTH_USER_MODEL = "accounts.User"
# User.email is unique through a case-insensitive constraint, which this check does not see.
SILENCED_SYSTEM_CHECKS = ["auth.E003"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: the API speaks English and stores UTC.

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files (the admin and the API docs), served by the app itself with WhiteNoise.

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Security. HTTPS_ONLY (default: on unless DEBUG) redirects to HTTPS, marks cookies secure
# and sends HSTS; TLS terminates at the proxy, which sets X-Forwarded-Proto.

HTTPS_ONLY = env_bool("HTTPS_ONLY", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^api/(health|ping)/$"]  # probes speak plain HTTP
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = 31536000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Pages are isolated from cross-origin windows; every response gets a Content-Security-Policy
# from proj.csp (Django 5.2 has none built in), with nonces for the pages' inline code.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "proj.api.errors.csrf_failure"

# Browser SPAs on other origins: CORS with credentials, and CSRF trust, for these origins only.
# COOKIE_SAMESITE=None lets an SPA on another site send the session cookie (HTTPS only).

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/api/(?!event).*$"  # the collect endpoints answer every origin themselves
CSRF_TRUSTED_ORIGINS = CORS_ALLOWED_ORIGINS
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = os.environ.get("COOKIE_SAMESITE", "Lax")
if SESSION_COOKIE_SAMESITE not in {"Lax", "Strict", "None"}:
    raise ImproperlyConfigured("COOKIE_SAMESITE must be Lax, Strict or None.")

# Enrichment: an optional city database; countries need no configuration.

GEOIP_CITY_DB = os.environ.get("GEOIP_CITY_DB", "").strip()
# The collect endpoint answers before its events are stored, by a writer thread (visits.writer).
INGEST_BUFFER = env_bool("INGEST_BUFFER", default=True)

# Proxies whose X-Forwarded-For is believed when they are the direct peer.

TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1/32,::1/128")
try:
    parse_networks(tuple(TRUSTED_PROXIES))
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error

# Django REST framework

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "proj.api.authentication.ApiKeyAuthentication",
        "proj.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["proj.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "proj.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["proj.api.filters.KnownQueryParameters"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "proj.api.negotiation.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "proj.api.schema.TallyAutoSchema",
    "EXCEPTION_HANDLER": "proj.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {
        "register_client": "20/hour",
        "register_account": "5/hour",
        "login_client": "30/min",
        "login_account": "10/hour",
        "login_device": "5/hour",
        "password_client": "20/hour",
        "password_account": "10/hour",
        "members": "60/hour",
    },
}

# The schema's conventions (tags, error answers, examples) are in proj/api/schema.py.
SPECTACULAR_SETTINGS = {
    "TITLE": "Tally API",
    "DESCRIPTION": (
        "Privacy-friendly web analytics: sites, visits and stats.\n\n"
        "Every error is `application/json` in one shape, the `Error` schema: "
        '`{"error", "code", "details"?, "request_id"}`; each operation lists the statuses '
        "and codes it can answer. A method an operation does not list answers 405 in the "
        "same shape, with an `Allow` header; an unexpected failure answers 500 "
        "`server_error`. No string may contain a NUL character (400 `invalid`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "TAGS": [
        {"name": "accounts", "description": "Registration, sessions, the profile and API keys."},
        {"name": "sites", "description": "Sites and the users they are shared with."},
        {"name": "visits", "description": "Recorded events: list, filter, export, post them."},
        {"name": "stats", "description": "Aggregates, time series, breakdowns (Stats API v2)."},
        {"name": "collect", "description": "The public endpoints trackers send events to."},
        {"name": "meta", "description": "The API index, liveness and health checks."},
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Logging and error reporting

LOG_FORMAT = os.environ.get("LOG_FORMAT", "console")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True  # RequestIdMiddleware has vetted it
# A 5xx the service answers on purpose (503 while the database is away, a stats query too
# slow) is a warning; an unhandled exception is still logged at ERROR, as request_failed.
DJANGO_STRUCTLOG_STATUS_5XX_LOG_LEVEL = logging.WARNING

SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
init_sentry(dsn=SENTRY_DSN)

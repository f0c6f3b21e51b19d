"""Structured logging: structlog for our events, the same renderer for Django's own logs."""

import logging

import structlog
from django.core.exceptions import ImproperlyConfigured

LOG_FORMATS = ("console", "json")

_shared_processors = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(*, log_format: str, level: str) -> dict:
    """Configure structlog and return the matching ``LOGGING`` dict for Django."""
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(
            f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}."
        )
    if not isinstance(logging.getLevelName(level), int):
        raise ImproperlyConfigured(
            f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {level!r}."
        )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    if log_format == "json":
        renderer = [structlog.processors.dict_tracebacks, structlog.processors.JSONRenderer()]
    else:
        renderer = [structlog.dev.ConsoleRenderer(colors=False)]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *renderer,
                ],
                "foreign_pre_chain": _shared_processors,
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "structured"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # django-structlog logs every request (request_finished) and every unhandled
            # exception with its traceback (request_failed); Django's own lines would repeat them.
            "django.request": {"level": "CRITICAL"},
            "django.server": {"level": "CRITICAL"},
            # A wrong Host header is the client's mistake (answered 400), not an app failure.
            "django.security.DisallowedHost": {"level": "CRITICAL"},
            # The embedded database narrates every start and stop at INFO.
            "pgserver": {"level": "WARNING"},
        },
    }

"""Request ids and request logs: vet or make an X-Request-ID, shape django-structlog's events."""

import re
import uuid
from collections.abc import Callable

import structlog
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django_structlog import signals

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from proxies and clients are logged, so only short, plain tokens are trusted.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,99}")


def request_id_of(request: HttpRequest) -> str:
    """Return the vetted request id of a request that went through the middleware."""
    return request.META.get("HTTP_X_REQUEST_ID", "")


class RequestIdMiddleware:
    """Give every request an id, logged by django-structlog and returned in X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _WELL_FORMED.fullmatch(request_id_of(request)):
            request.META["HTTP_X_REQUEST_ID"] = str(uuid.uuid4())
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id_of(request)
        return response


# django-structlog's request events, reshaped: method, path and status_code as their own keys,
# and nothing that identifies a visitor (user agent, query string).


@receiver(signals.bind_extra_request_metadata)
def _bind_request_fields(request: HttpRequest, log_kwargs: dict, **kwargs) -> None:
    structlog.contextvars.bind_contextvars(method=request.method, path=request.path)
    log_kwargs.pop("request", None)
    log_kwargs.pop("user_agent", None)


@receiver(signals.bind_extra_request_finished_metadata)
@receiver(signals.bind_extra_request_failed_metadata)
def _name_status_code(log_kwargs: dict, **kwargs) -> None:
    log_kwargs.pop("request", None)
    log_kwargs["status_code"] = log_kwargs.pop("code")

"""One JSON error shape for every error the service returns.

``{"error": message, "code": machine code, "details": {field: [messages]}, "request_id": id}``,
``details`` only on validation errors.
"""

import sys
from collections.abc import Callable
from http import HTTPStatus

import structlog
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions import middleware as sessions
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from proj.api.exceptions import CSRF_MESSAGE
from proj.api.outage import RETRY_AFTER_SECONDS, DatabaseUnavailable, noted_outage
from proj.api.parsers import PayloadTooLarge
from proj.middleware import request_id_of

logger = structlog.get_logger(__name__)


def error_body(request: HttpRequest, *, message: str, code: str, details=None) -> dict:
    """Build the error document for a request."""
    body = {"error": message, "code": code}
    if details is not None:
        body["details"] = details
    body["request_id"] = request_id_of(request)
    return body


def _validation_details(detail: dict | list) -> dict:
    # A ValidationError raised outside a serializer's fields carries a bare list.
    return detail if isinstance(detail, dict) else {"non_field_errors": detail}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Render DRF and Django errors in the error shape; leave unknown ones to become 500s."""
    if noted_outage(exc):
        exc = DatabaseUnavailable()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):  # Django's limit, checked before a parser runs
        exc = PayloadTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if not isinstance(exc, exceptions.APIException):
        return None
    response = drf_exception_handler(exc, context)  # sets Retry-After, WWW-Authenticate
    request = context["request"]
    answer_in_json(request)
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            request,
            message="The request is not valid; see details.",
            code="invalid",
            details=_validation_details(response.data),
        )
    else:
        response.data = error_body(
            request, message=str(exc.detail), code=getattr(exc.detail, "code", exc.default_code)
        )
    return response


def answer_in_json(request) -> None:
    """Render the error as JSON whatever format the request asked for (CSV, YAML, HTML)."""
    request.accepted_renderer = JSONRenderer()
    request.accepted_media_type = JSONRenderer.media_type


def json_error(
    request: HttpRequest,
    status: HTTPStatus,
    *,
    message: str,
    code: str,
    retry_after: int | None = None,
) -> JsonResponse:
    """Return an error-shaped JsonResponse, for errors raised outside DRF views."""
    response = JsonResponse(error_body(request, message=message, code=code), status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Answer Django's 400 in the error shape, naming ALLOWED_HOSTS for an unknown host."""
    if isinstance(exception, DisallowedHost):
        # The usual first-deploy mistake: say what to change, to the operator and the client.
        host = request._get_raw_host()[:255]
        logger.warning("host_not_allowed", host=host)
        return json_error(
            request,
            HTTPStatus.BAD_REQUEST,
            message=f"The host {host!r} is not in ALLOWED_HOSTS; add it to that environment "
            "variable if this server should answer to it.",
            code="disallowed_host",
        )
    return json_error(request, HTTPStatus.BAD_REQUEST, message="Bad request.", code="bad_request")


def permission_denied(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Answer Django's 403 in the error shape."""
    return json_error(
        request,
        HTTPStatus.FORBIDDEN,
        message="You do not have permission to perform this action.",
        code="permission_denied",
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """Answer a failed CSRF check in the error shape."""
    return json_error(request, HTTPStatus.FORBIDDEN, message=CSRF_MESSAGE, code="csrf_failed")


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Answer URLs that match nothing in the error shape."""
    return json_error(request, HTTPStatus.NOT_FOUND, message="Not found.", code="not_found")


def database_unavailable(request: HttpRequest) -> JsonResponse:
    """Answer a request that found the database unreachable, outside DRF views."""
    return json_error(
        request,
        HTTPStatus.SERVICE_UNAVAILABLE,
        message=str(DatabaseUnavailable.default_detail),
        code=DatabaseUnavailable.default_code,
        retry_after=RETRY_AFTER_SECONDS,
    )


class DatabaseUnavailableMiddleware:
    """Answer 503 when a view outside DRF, or the user lookup, finds the database unreachable.

    Placed just inside django-structlog's middleware, which reads ``request.user`` for its log
    line after the response: with the database away that lookup fails again, after the answer
    was decided, so the user is settled here first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if hasattr(request, "user"):
            try:
                _ = request.user.pk  # loads the user from the session, once
            except DatabaseError as error:
                if not noted_outage(error):
                    raise
                request.user = AnonymousUser()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Answer 503 for a connection failure; leave other exceptions to Django."""
        if not noted_outage(exception):
            return None
        return database_unavailable(request)


class SessionMiddleware(sessions.SessionMiddleware):
    """Django's session middleware, answering 503 when saving the session finds no database.

    The session is saved after the view, on the way out; an exception raised there would reach
    Django's handler, which logs it at ERROR (django-structlog's ``request_failed``), one per
    request of an outage. Answered here, the outage is logged once, as every other.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """Save the session; a connection failure answers 503 instead."""
        try:
            return super().process_response(request, response)
        except DatabaseError as error:
            if not noted_outage(error):
                raise
            return database_unavailable(request)


def server_error(request: HttpRequest) -> JsonResponse:
    """Answer unhandled exceptions without leaking details; the traceback is in the logs.

    A connection failure that reaches Django's handler anyway answers 503 (logged at ERROR
    there: no known path does this).
    """
    if noted_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    return json_error(
        request,
        HTTPStatus.INTERNAL_SERVER_ERROR,
        message="Internal server error. Quote the request_id when reporting it.",
        code="server_error",
    )

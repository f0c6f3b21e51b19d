"""The OpenAPI schema's conventions, in one place: tags by area, the error shape, examples.

``TallyAutoSchema`` is DRF's schema class for every view. It reads what each view really
does (its authenticators, permissions, throttles, parsers, path parameters) to list the error
answers the operation can give, all in the one ``Error`` shape of ``proj.api.errors``.
"""

from collections.abc import Iterator
from http import HTTPStatus

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiExample, extend_schema_field
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from proj.api.examples import EXAMPLES
from proj.api.patterns import IPV6_PATTERN
from proj.middleware import REQUEST_ID_HEADER
from sites.models import timezone_names, validate_timezone
from visits.enrichment.urls import MAX_URL_BYTES
from visits.renderers import CSVRenderer
from visits.serializers import (
    MAX_PROP_KEY_BYTES,
    MAX_PROP_VALUE_BYTES,
    MAX_PROPS,
    validate_page_url,
)

# The first path prefix that matches names the operation's tag (described in settings).
TAGS_BY_PREFIX = (
    ("/api/accounts/", "accounts"),
    ("/api/sites/", "sites"),
    ("/api/visits/", "visits"),
    ("/api/v2/query", "stats"),
    ("/api/v1/stats/", "stats"),
    ("/api/event", "collect"),
)
META_TAG = "meta"

# Operations (by operationId) that answer errors their view's configuration does not show.
NOT_FOUND_OPERATIONS = {
    # readable_site(): a site that does not exist or that the caller may not read.
    "api_v2_query_create",
    "api_v1_stats_realtime_visitors_retrieve",
}
EXTRA_ERRORS = {
    "api_event_create": [
        (HTTPStatus.SERVICE_UNAVAILABLE, "ingest_unavailable"),
        (HTTPStatus.SERVICE_UNAVAILABLE, "database_unavailable"),
    ],
    "api_event.gif_retrieve": [
        (HTTPStatus.SERVICE_UNAVAILABLE, "ingest_unavailable"),
        (HTTPStatus.SERVICE_UNAVAILABLE, "database_unavailable"),
    ],
    "api_v2_query_create": [(HTTPStatus.SERVICE_UNAVAILABLE, "query_timeout")],
    # accounts.throttles.SignInAttempt limits sign-in outside DRF's throttle classes.
    "api_accounts_login_create": [(HTTPStatus.TOO_MANY_REQUESTS, "throttled")],
}

# What each error code says, as the server words it (proj.api.errors, DRF, the views).
ERROR_MESSAGES = {
    "invalid": "The request is not valid; see details.",
    "parse_error": "JSON parse error - Expecting value: line 1 column 1 (char 0)",
    "not_authenticated": "Authentication credentials were not provided.",
    "authentication_failed": "Invalid or revoked API key.",
    "permission_denied": "You do not have permission to perform this action.",
    "csrf_failed": "CSRF verification failed. Get a token from /api/accounts/csrf/ "
    "and send it in the X-CSRFToken header.",
    "not_found": "Not found.",
    "not_acceptable": "Could not satisfy the request Accept header.",
    "payload_too_large": "The request body is larger than 64 KB.",
    "unsupported_media_type": 'Unsupported media type "application/xml" in request.',
    "throttled": "Request was throttled. Expected available in 60 seconds.",
    "database_unavailable": "The database is unavailable; try again shortly.",
    "ingest_unavailable": "Too many events are waiting to be stored; send this one again shortly.",
    "query_timeout": "The query ran too long and was cancelled; narrow the date range or filters.",
}
ERROR_DESCRIPTIONS = {
    HTTPStatus.BAD_REQUEST: "The request is malformed or not valid; `details` names each field.",
    HTTPStatus.UNAUTHORIZED: "No credentials, or credentials that are not valid.",
    HTTPStatus.FORBIDDEN: "Not allowed to the caller, or a failed CSRF check of a session.",
    HTTPStatus.NOT_FOUND: "No such object, or one the caller may not see.",
    HTTPStatus.NOT_ACCEPTABLE: "The Accept header names no media type the operation produces.",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "The body is over the limit: 64 KB on the collect "
    "endpoint, 2.5 MB (Django's DATA_UPLOAD_MAX_MEMORY_SIZE) elsewhere.",
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: "The Content-Type is not one the operation reads.",
    HTTPStatus.TOO_MANY_REQUESTS: "Rate limited; Retry-After says when to try again.",
    HTTPStatus.SERVICE_UNAVAILABLE: "Temporarily unable to answer; try again later "
    "(Retry-After, when sent, says when).",
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds to wait before trying again.",
    }
}
REQUEST_ID_HEADERS = {
    REQUEST_ID_HEADER: {
        "schema": {"type": "string"},
        "required": True,
        "description": "The request's id: the caller's own X-Request-ID when well formed "
        "(8 to 100 letters, digits, '.', '_', ':' or '-'), else a new UUID. Logs carry it.",
    }
}
RESPONSE_HEADERS = {
    HTTPStatus.UNAUTHORIZED: {
        "WWW-Authenticate": {
            "schema": {"type": "string", "example": 'Bearer realm="api"'},
            "description": "How to authenticate: with an API key as a bearer token.",
        }
    },
    HTTPStatus.TOO_MANY_REQUESTS: RETRY_AFTER,
    HTTPStatus.SERVICE_UNAVAILABLE: RETRY_AFTER,
}
# What validate_page_url() checks first; bytes, not characters, are limited to MAX_URL_BYTES.
# Python's URL parser takes a bracketed host only if it is an IPv6 address (RFC 3986's
# grammar, below) or an IPvFuture "v<hex>.<anything>", and refuses a host part holding a
# character that NFKC turns into one of / ? # @ : (full-width forms, U+2100 "a/c", ...).
_NFKC_DELIMITERS = (
    r"\u2047\u2048\u2049\u2100\u2101\u2105\u2106\u2a74\ufe13\ufe16\ufe55\ufe56\ufe5f"
    r"\ufe6b\uff03\uff0f\uff1a\uff1f\uff20"
)
_NETLOC_CHARACTER = rf"[^/?#@\[\]{_NFKC_DELIMITERS}]"
_HOST_CHARACTER = rf"[^/?#:@\s\[\]{_NFKC_DELIMITERS}]"  # the parser drops tabs and newlines
PAGE_URL_PATTERN = (
    rf"^\s*[Hh][Tt][Tt][Pp][Ss]?://({_NETLOC_CHARACTER}*@)?"  # any user@
    rf"(\[({IPV6_PATTERN}|v[0-9A-Fa-f]+\.{_HOST_CHARACTER}+)\](:[0-9]*)?"  # the host
    rf"|{_HOST_CHARACTER}{_NETLOC_CHARACTER}*)([/?#]|$)"
)
# The pixel's props, JSON text: the plain objects PropsField takes (strings without escapes or
# control characters, of at most 4 bytes a character; integers; booleans), since a pattern
# cannot parse JSON. Blank text means no props.
_JSON_SPACE = r"[ \t\n\r]*"
_JSON_PLAIN_STRING = r'"[^"\\\u0000-\u001f]{%d,%d}"'
_PROP = (
    f"{_JSON_SPACE}{_JSON_PLAIN_STRING % (1, MAX_PROP_KEY_BYTES // 4)}{_JSON_SPACE}:{_JSON_SPACE}"
    f"({_JSON_PLAIN_STRING % (0, MAX_PROP_VALUE_BYTES // 4)}|-?(0|[1-9][0-9]{{0,15}})|true|false)"
    f"{_JSON_SPACE}"
)
_PROPS = rf"({_PROP}(,{_PROP}){{0,{MAX_PROPS - 1}}}|{_JSON_SPACE})"
PROPS_TEXT_PATTERN = rf"^(\s*|{_JSON_SPACE}\{{{_PROPS}\}}{_JSON_SPACE})$"
PARAMETER_EXAMPLES = {
    "id": 2,
    "site_pk": 2,
    "user_id": 8,
    "site_id": "example.com",
    "site": 2,
    "since": "2026-11-01T00:00:00Z",
    "until": "2026-12-01T00:00:00Z",
    "path": "/pricing",
    "path_prefix": "/blog/",
    "name": "pageview",
    "url": "https://example.com/pricing",
    "domain": "example.com",
    "referrer": "https://news.ycombinator.com/",
    "page": 1,
    "page_size": 50,
    "cursor": "cD0yMDI2LTExLTIxKzEzJTNBMDUlM0ExMi4zNDUwMDAlMkIwMCUzQTAw",
    "format": "json",
    "browser": "Firefox",
    "os": "Linux",
    "device": "Desktop",
    "country": "FR",
    "source": "Google",
    "utm_source": "newsletter",
    "utm_medium": "email",
    "utm_campaign": "spring_sale",
    "utm_term": "analytics",
    "utm_content": "banner",
    "interactive": "true",
    "props": '{"plan": "pro"}',
}
EXAMPLE_REQUEST_ID = "5c1f0b0e-8f5e-4a57-a2a4-3f1e9f3c2b1d"
EXAMPLE_DETAILS = {"domain": ["This field may not be blank."]}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {
                    "type": "object",
                    "description": "The errors of a list's items by index, or of an object's "
                    "fields, in the same shape.",
                },
            ]
        },
    }
)
class ErrorDetailsField(serializers.DictField):
    """Messages by field; by item index, then field, for lists."""


class ErrorSerializer(serializers.Serializer):
    """Every error answer: a message, a machine code, per-field details, the request id."""

    error = serializers.CharField(help_text="A message for people.")
    code = serializers.CharField(
        help_text="A machine-readable code, e.g. invalid, not_found, throttled."
    )
    details = ErrorDetailsField(
        required=False,
        help_text="Validation errors only: each offending field with its messages.",
    )
    request_id = serializers.CharField(
        help_text="The request's id, also in the X-Request-ID header; quote it in reports."
    )


class TallyAutoSchema(AutoSchema):
    """Tag operations by area, attach their error answers and their examples."""

    def get_tags(self) -> list[str]:
        """Return the operation's area, from its path."""
        for prefix, tag in TAGS_BY_PREFIX:
            if self.path.startswith(prefix):
                return [tag]
        return [META_TAG]

    def get_examples(self) -> list[OpenApiExample]:
        """Return the examples of the view's decorators, then the operation's own."""
        return [*super().get_examples(), *EXAMPLES.get(self.get_operation_id(), [])]

    def get_operation(self, *args, **kwargs) -> dict | None:
        """Build the operation, with an example value for each parameter that lacks one."""
        operation = super().get_operation(*args, **kwargs)
        for parameter in operation.get("parameters", []) if operation else []:
            self._refine_parameter(parameter)
            example = PARAMETER_EXAMPLES.get(parameter["name"])
            if example is not None and "example" not in parameter:
                parameter["example"] = example
        return operation

    def _refine_parameter(self, parameter: dict) -> None:
        """Say what the server accepts where the generated parameter is vaguer."""
        fields = getattr(self.view, "ordering_fields", None)
        filterset = getattr(self.view, "filterset_class", None)
        if parameter["name"] == "ordering" and fields:
            one = f"-?({'|'.join(fields)})"
            parameter["schema"]["pattern"] = f"^{one}(,{one})*$"
            parameter["example"] = f"-{fields[0]}"
            parameter["description"] = (
                f"Order by {', '.join(fields)}; a leading '-' orders descending; "
                "comma-separate several."
            )
        elif parameter["name"] in getattr(filterset, "base_filters", {}):
            parameter["allowEmptyValue"] = True  # django-filter ignores an empty filter
        elif parameter["in"] == "query" and "type" not in parameter["schema"]:
            # A field that takes any JSON value (collect's interactive) takes any text here.
            parameter["schema"] = {"type": "string"}
        elif parameter["in"] == "query" and parameter["schema"].get("type") == "object":
            # Objects in a query string come as JSON text (the pixel's props).
            parameter["schema"] = {
                "type": "string",
                "pattern": PROPS_TEXT_PATTERN,
                "description": "A JSON object, as props in the body. The pattern states plain "
                "objects; escapes in strings and fractions are read too.",
            }

    def _get_pagination_parameters(self) -> list[dict]:
        """Return the paginator's parameters, with the bounds the paginator keeps to."""
        parameters = super()._get_pagination_parameters()
        paginator = self._get_paginator()
        for parameter in parameters:
            if parameter["name"] == getattr(paginator, "page_size_query_param", None):
                parameter["schema"].update(
                    minimum=1, maximum=paginator.max_page_size, default=paginator.page_size
                )
            elif parameter["name"] == getattr(paginator, "page_query_param", None):
                parameter["schema"]["minimum"] = 1
        return parameters

    def _unwrap_list_serializer(self, serializer, direction: str) -> dict | None:
        """Map a list serializer, with the bounds on its length it enforces."""
        schema = super()._unwrap_list_serializer(serializer, direction)
        if schema and isinstance(serializer, serializers.ListSerializer):
            if serializer.min_length is not None:
                schema["minItems"] = serializer.min_length
            if serializer.max_length is not None:
                schema["maxItems"] = serializer.max_length
        return schema

    def map_renderers(self, attribute: str) -> list:
        """Return the formats the operation answers in; CSV only where a list streams it."""
        formats = super().map_renderers(attribute)
        if self._is_list_view():
            return formats
        return [f for f in formats if f != getattr(CSVRenderer, attribute)]

    def _map_serializer_field(self, field: serializers.Field, direction: str, **kwargs) -> dict:
        """Map a field, with the format checks its validators make."""
        schema = super()._map_serializer_field(field, direction, **kwargs)
        if validate_page_url in field.validators:
            schema.update(pattern=PAGE_URL_PATTERN, maxLength=MAX_URL_BYTES)
        elif isinstance(field, serializers.IPAddressField):
            schema["anyOf"] = [{"format": "ipv4"}, {"format": "ipv6"}]
        elif validate_timezone in field.validators:
            return self._time_zone_component().ref
        return schema

    def _time_zone_component(self) -> ResolvedComponent:
        """Register the IANA names this server's tzdata knows, once, as the TimeZone schema."""
        component = ResolvedComponent(
            name="TimeZone",
            type=ResolvedComponent.SCHEMA,
            object="TimeZone",
            schema={
                "type": "string",
                "enum": sorted(timezone_names()),
                "description": "An IANA time zone name, as this server's tzdata knows them.",
                "example": "Europe/Paris",
            },
        )
        self.registry.register_on_missing(component)
        return component

    def _map_basic_serializer(self, serializer: serializers.Serializer, direction: str) -> dict:
        """Map a serializer; one marked ``closed`` refuses properties it does not name."""
        schema = super()._map_basic_serializer(serializer, direction)
        if getattr(serializer, "closed", False):
            schema["additionalProperties"] = False
        return schema

    def _get_response_bodies(self, direction: str = "response") -> dict:
        """Return the documented responses plus each error answer the operation can give."""
        responses = super()._get_response_bodies(direction)
        codes_by_status: dict[HTTPStatus, list[str]] = {}
        for status, code in self.error_codes():
            codes_by_status.setdefault(status, []).append(code)
        for status, codes in sorted(codes_by_status.items()):
            responses[str(status.value)] = self._error_response(status, codes)
        for response in responses.values():
            response["headers"] = {**REQUEST_ID_HEADERS, **response.get("headers", {})}
        if self._has_query_parameters():
            # Refused by gunicorn before Tally sees the request: no error shape, no request id.
            responses[str(HTTPStatus.REQUEST_URI_TOO_LONG.value)] = {
                "description": "The request line is over gunicorn's limit of 4094 bytes; "
                "the answer is gunicorn's own, not in the Error shape."
            }
        return responses

    def error_codes(self) -> Iterator[tuple[HTTPStatus, str]]:
        """Yield each (status, code) the operation can answer, from what its view does."""
        view: APIView = self.view
        operation_id = self.get_operation_id()
        has_body = self._get_request_body() is not None
        authenticators = view.get_authenticators()
        if has_body:
            yield HTTPStatus.BAD_REQUEST, "parse_error"
        if has_body or self._has_query_parameters():
            yield HTTPStatus.BAD_REQUEST, "invalid"
        if authenticators:
            if self._needs_authentication():
                yield HTTPStatus.UNAUTHORIZED, "not_authenticated"
            yield HTTPStatus.UNAUTHORIZED, "authentication_failed"
        if self._checks_roles():
            yield HTTPStatus.FORBIDDEN, "permission_denied"
        if self.method not in ("GET", "HEAD", "OPTIONS") and any(
            isinstance(authenticator, SessionAuthentication) for authenticator in authenticators
        ):
            yield HTTPStatus.FORBIDDEN, "csrf_failed"
        # A page past the last, or a forged cursor, answers 404 too.
        paginated = self._is_list_view() and self._get_paginator() is not None
        # So does ?format= naming no renderer, where there is a choice of formats.
        formats = any(parameter["name"] == "format" for parameter in self._get_parameters())
        if "{" in self.path or paginated or formats or operation_id in NOT_FOUND_OPERATIONS:
            yield HTTPStatus.NOT_FOUND, "not_found"
        yield HTTPStatus.NOT_ACCEPTABLE, "not_acceptable"  # content negotiation, every view
        if has_body:
            yield HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large"
            yield HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"
        if view.get_throttles():
            yield HTTPStatus.TOO_MANY_REQUESTS, "throttled"
        yield from EXTRA_ERRORS.get(operation_id, [])
        if authenticators:  # checking credentials reads the database
            yield HTTPStatus.SERVICE_UNAVAILABLE, "database_unavailable"

    def _has_query_parameters(self) -> bool:
        return any(parameter["in"] == "query" for parameter in self._get_parameters())

    def _needs_authentication(self) -> bool:
        return not any(
            isinstance(permission, AllowAny) for permission in self.view.get_permissions()
        )

    def _checks_roles(self) -> bool:
        """Tell whether the view can refuse a caller it has authenticated."""
        permissions = self.view.get_permissions()
        own_check = type(self.view).check_permissions is not APIView.check_permissions
        return own_check or any(
            type(permission) not in (AllowAny, IsAuthenticated) for permission in permissions
        )

    def _error_response(self, status: HTTPStatus, codes: list[str]) -> dict:
        schema = self.resolve_serializer(ErrorSerializer, "response").ref
        examples = {code: {"summary": code, "value": self._error_example(code)} for code in codes}
        response = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": schema, "examples": examples}},
        }
        if status in RESPONSE_HEADERS:
            response["headers"] = RESPONSE_HEADERS[status]
        return response

    @staticmethod
    def _error_example(code: str) -> dict:
        body = {"error": ERROR_MESSAGES[code], "code": code}
        if code == "invalid":
            body["details"] = EXAMPLE_DETAILS
        body["request_id"] = EXAMPLE_REQUEST_ID
        return body

"""The OpenAPI schema: tags by area, error answers, examples and constraints (proj.api.schema)."""

import re
import zoneinfo
from datetime import UTC, datetime
from functools import cache
from http import HTTPStatus
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from model_bakery import baker
from referencing import Registry
from referencing.jsonschema import DRAFT4
from rest_framework import serializers
from rest_framework.test import APIClient

from accounts.models import User
from proj.api.exceptions import CsrfFailed
from proj.api.outage import DatabaseUnavailable
from proj.api.parsers import PayloadTooLarge
from proj.api.patterns import NETWORK_PATTERN
from proj.api.schema import ERROR_MESSAGES, PAGE_URL_PATTERN, PROPS_TEXT_PATTERN
from sites.models import Site
from sites.networks import normalize_network
from visits.collect import IngestUnavailable
from visits.enrichment.urls import InvalidUrl, parse_page_url
from visits.parsers import MAX_EVENT_BODY
from visits.serializers import PropsField
from visits.stats.dates import InvalidDateRange, resolve_date_range
from visits.stats.serializers import ISO_DATE_PATTERN
from visits.stats.views import QueryTooSlow

METHODS = ("get", "post", "patch", "put", "delete")
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
DOC = "urn:tally-schema"


@cache
def openapi() -> dict:
    """Return the generated schema, built once for the module."""
    return SchemaGenerator().get_schema(request=None, public=True)


def operations() -> list[tuple[str, str, dict]]:
    """Return (method, path, operation) of every operation."""
    return [
        (method.upper(), path, operation)
        for path, item in openapi()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def as_json_schema(node):
    """Turn OpenAPI 3.0 schema objects into JSON Schema: nullable, refs into the document."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: (f"{DOC}{value}" if key == "$ref" else as_json_schema(value))
        for key, value in node.items()
        if key not in ("nullable", "example", "examples")
    }
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def validate(value, schema: dict) -> None:
    """Validate a value against a schema of the document, refs and all."""
    registry = Registry().with_resource(DOC, DRAFT4.create_resource(as_json_schema(openapi())))
    jsonschema.Draft4Validator(as_json_schema(schema), registry=registry).validate(value)


def component(name: str) -> dict:
    return openapi()["components"]["schemas"][name]


def responses_with_content() -> list[tuple[str, str, str, str, dict]]:
    """Return (method, path, status, media type, media object) of every response body."""
    return [
        (method, path, status, media_type, media)
        for method, path, operation in operations()
        for status, response in operation["responses"].items()
        for media_type, media in response.get("content", {}).items()
    ]


class SchemaValidityTest:
    def test_schema_valid_openapi(self):
        validate_schema(openapi())


class TagsTest:
    def test_operations_tagged_by_area(self):
        tags = {}
        for _, path, operation in operations():
            tags.setdefault(path, []).extend(t for t in operation["tags"] if t not in tags[path])

        assert tags == {
            "/": ["meta"],
            "/api/": ["meta"],
            "/api/accounts/csrf/": ["accounts"],
            "/api/accounts/keys/": ["accounts"],
            "/api/accounts/keys/{id}/": ["accounts"],
            "/api/accounts/login/": ["accounts"],
            "/api/accounts/logout/": ["accounts"],
            "/api/accounts/me/": ["accounts"],
            "/api/accounts/me/password/": ["accounts"],
            "/api/accounts/register/": ["accounts"],
            "/api/event": ["collect"],
            "/api/event.gif": ["collect"],
            "/api/health/": ["meta"],
            "/api/ping/": ["meta"],
            "/api/sites/": ["sites"],
            "/api/sites/{id}/": ["sites"],
            "/api/sites/{site_pk}/members/": ["sites"],
            "/api/sites/{site_pk}/members/{user_id}/": ["sites"],
            "/api/v1/stats/realtime/visitors": ["stats"],
            "/api/v2/query": ["stats"],
            "/api/visits/": ["visits"],
            "/api/visits/{id}/": ["visits"],
        }

    def test_tags_described(self):
        assert [tag["name"] for tag in openapi()["tags"]] == [
            "accounts",
            "sites",
            "visits",
            "stats",
            "collect",
            "meta",
        ]


class ErrorResponsesTest:
    @pytest.mark.parametrize(
        ("code", "message"),
        [
            ("csrf_failed", CsrfFailed.default_detail),
            ("payload_too_large", PayloadTooLarge(MAX_EVENT_BODY).detail),
            ("database_unavailable", DatabaseUnavailable.default_detail),
            ("ingest_unavailable", IngestUnavailable.default_detail),
            ("query_timeout", QueryTooSlow.default_detail),
        ],
    )
    def test_error_messages_as_the_server_words_them(self, code, message):
        assert ERROR_MESSAGES[code] == str(message)

    def test_error_statuses_of_every_operation(self):
        statuses = {
            f"{method} {path}": sorted(
                int(status) for status in operation["responses"] if status >= "400"
            )
            for method, path, operation in operations()
        }

        assert statuses == {
            "GET /": [401, 406, 503],
            "GET /api/": [401, 406, 503],
            "GET /api/accounts/csrf/": [406],
            "GET /api/accounts/keys/": [400, 401, 403, 404, 406, 414, 503],
            "POST /api/accounts/keys/": [400, 401, 403, 406, 413, 415, 503],
            "DELETE /api/accounts/keys/{id}/": [401, 403, 404, 406, 503],
            "POST /api/accounts/login/": [400, 401, 403, 406, 413, 415, 429, 503],
            "POST /api/accounts/logout/": [401, 403, 406, 503],
            "GET /api/accounts/me/": [401, 406, 503],
            "PATCH /api/accounts/me/": [400, 401, 403, 406, 413, 415, 503],
            "POST /api/accounts/me/password/": [400, 401, 403, 406, 413, 415, 429, 503],
            "POST /api/accounts/register/": [400, 401, 403, 406, 413, 415, 429, 503],
            "POST /api/event": [400, 406, 413, 415, 503],
            "GET /api/event.gif": [400, 406, 414, 503],
            "GET /api/health/": [406, 503],
            "GET /api/ping/": [406],
            "GET /api/sites/": [400, 401, 403, 404, 406, 414, 503],
            "POST /api/sites/": [400, 401, 403, 406, 413, 415, 503],
            "GET /api/sites/{id}/": [401, 403, 404, 406, 503],
            "PATCH /api/sites/{id}/": [400, 401, 403, 404, 406, 413, 415, 503],
            "DELETE /api/sites/{id}/": [401, 403, 404, 406, 503],
            "GET /api/sites/{site_pk}/members/": [400, 401, 403, 404, 406, 414, 503],
            "POST /api/sites/{site_pk}/members/": [400, 401, 403, 404, 406, 413, 415, 429, 503],
            "PATCH /api/sites/{site_pk}/members/{user_id}/": [
                400,
                401,
                403,
                404,
                406,
                413,
                415,
                503,
            ],
            "DELETE /api/sites/{site_pk}/members/{user_id}/": [401, 403, 404, 406, 503],
            "GET /api/v1/stats/realtime/visitors": [400, 401, 404, 406, 414, 503],
            "POST /api/v2/query": [400, 401, 403, 404, 406, 413, 415, 503],
            "GET /api/visits/": [400, 401, 404, 406, 414, 503],
            "POST /api/visits/": [400, 401, 403, 406, 413, 415, 503],
            "GET /api/visits/{id}/": [401, 404, 406, 503],
        }

    def test_error_codes_of_an_operation(self):
        responses = openapi()["paths"]["/api/v2/query"]["post"]["responses"]

        codes = {
            status: sorted(r["content"]["application/json"]["examples"])
            for status, r in responses.items()
            if status >= "400"
        }

        assert codes == {
            "400": ["invalid", "parse_error"],
            "401": ["authentication_failed"],
            "403": ["csrf_failed"],
            "404": ["not_found"],
            "406": ["not_acceptable"],
            "413": ["payload_too_large"],
            "415": ["unsupported_media_type"],
            "503": ["database_unavailable", "query_timeout"],
        }

    def test_errors_in_error_shape(self):
        errors = [
            (f"{method} {path} {status}", media)
            for method, path, status, media_type, media in responses_with_content()
            if status >= "400" and (path, status) != ("/api/health/", "503")
        ]

        assert errors
        for where, media in errors:
            assert media["schema"] == {"$ref": "#/components/schemas/Error"}, where
            for example in media["examples"].values():
                validate(example["value"], media["schema"])

    def test_error_component(self):
        assert component("Error") == {
            "type": "object",
            "description": "Every error answer: a message, a machine code, per-field details, "
            "the request id.",
            "properties": {
                "error": {"type": "string", "description": "A message for people."},
                "code": {
                    "type": "string",
                    "description": "A machine-readable code, e.g. invalid, not_found, throttled.",
                },
                "details": {
                    "type": "object",
                    "additionalProperties": {
                        "anyOf": [
                            {"type": "array", "items": {"type": "string"}},
                            {
                                "type": "object",
                                "description": "The errors of a list's items by index, or of "
                                "an object's fields, in the same shape.",
                            },
                        ]
                    },
                    "description": "Validation errors only: each offending field with its "
                    "messages.",
                },
                "request_id": {
                    "type": "string",
                    "description": "The request's id, also in the X-Request-ID header; quote it "
                    "in reports.",
                },
            },
            "required": ["code", "error", "request_id"],
        }

    def test_request_id_header_on_every_answer_of_tally(self):
        headers = [
            (f"{method} {path} {status}", response.get("headers", {}).get("X-Request-ID"))
            for method, path, operation in operations()
            for status, response in operation["responses"].items()
            if status != "414"
        ]

        assert [where for where, header in headers if header is None] == []
        assert headers[0][1]["required"] is True

    def test_uri_too_long_is_gunicorn_answer(self):
        response = openapi()["paths"]["/api/visits/"]["get"]["responses"]["414"]

        assert response == {
            "description": "The request line is over gunicorn's limit of 4094 bytes; the answer "
            "is gunicorn's own, not in the Error shape."
        }

    def test_retry_after_on_throttled(self):
        response = openapi()["paths"]["/api/accounts/login/"]["post"]["responses"]["429"]

        assert response["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 0}


class ExamplesTest:
    def test_every_body_and_parameter_has_an_example(self):
        missing = []
        for method, path, operation in operations():
            bodies = [
                (f"request {media_type}", media)
                for media_type, media in operation.get("requestBody", {}).get("content", {}).items()
            ] + [
                (f"{status} {media_type}", media)
                for status, response in operation["responses"].items()
                for media_type, media in response.get("content", {}).items()
            ]
            missing += [
                f"{method} {path} {where}"
                for where, media in bodies
                if "examples" not in media and media["schema"].get("format") != "binary"
            ]
            missing += [
                f"{method} {path} {parameter['name']}"
                for parameter in operation.get("parameters", [])
                if "example" not in parameter
            ]

        assert missing == []

    def test_examples_match_their_schemas(self):
        checked = 0
        for _, _, operation in operations():
            media_objects = list(operation.get("requestBody", {}).get("content", {}).items())
            media_objects += [
                (media_type, media)
                for status, response in operation["responses"].items()
                for media_type, media in response.get("content", {}).items()
            ]
            for _, media in media_objects:
                for example in media.get("examples", {}).values():
                    validate(example["value"], media["schema"])
                    checked += 1

        assert checked > 100


class ConstraintsTest:
    def test_stats_query_refuses_unknown_keys(self):
        assert component("StatsQueryRequest")["additionalProperties"] is False
        assert component("StatsQueryRequest")["required"] == ["date_range", "metrics", "site_id"]

    @pytest.mark.parametrize(
        "name", ["PatchedUserRequest", "SiteRequest", "NewMemberRequest", "ServerVisitRequest"]
    )
    def test_strict_serializer_refuses_unknown_keys(self, name):
        assert component(name)["additionalProperties"] is False

    def test_collect_event_takes_unknown_keys(self):
        assert "additionalProperties" not in component("EventRequest")

    def test_batch_of_visits_bounded(self):
        assert component("ServerVisitsRequest")["oneOf"][1] == {
            "type": "array",
            "items": {"$ref": "#/components/schemas/ServerVisitRequest"},
            "minItems": 1,
            "maxItems": 1000,
        }

    @pytest.mark.parametrize(
        ("path", "maximum", "default"), [("/api/sites/", 100, 50), ("/api/visits/", 1000, 100)]
    )
    def test_page_size_bounded(self, path, maximum, default):
        parameters = openapi()["paths"][path]["get"]["parameters"]

        page_size = next(p for p in parameters if p["name"] == "page_size")

        assert page_size["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": maximum,
            "default": default,
        }

    def test_page_number_positive(self):
        parameters = openapi()["paths"]["/api/sites/"]["get"]["parameters"]

        page = next(p for p in parameters if p["name"] == "page")

        assert page["schema"] == {"type": "integer", "minimum": 1}

    def test_ordering_names_fields(self):
        parameters = openapi()["paths"]["/api/sites/"]["get"]["parameters"]

        ordering = next(p for p in parameters if p["name"] == "ordering")

        assert ordering["schema"] == {
            "type": "string",
            "pattern": "^-?(domain|name|created_at)(,-?(domain|name|created_at))*$",
        }

    def test_object_query_parameter_is_json_text(self):
        parameters = openapi()["paths"]["/api/event.gif"]["get"]["parameters"]

        props = next(p for p in parameters if p["name"] == "props")

        assert props["schema"] == {
            "type": "string",
            "pattern": PROPS_TEXT_PATTERN,
            "description": "A JSON object, as props in the body. The pattern states plain "
            "objects; escapes in strings and fractions are read too.",
        }

    @pytest.mark.parametrize("name", ["Site", "SiteRequest", "PatchedSiteRequest"])
    def test_timezone_is_iana_name(self, name):
        assert component(name)["properties"]["timezone"] == {
            "$ref": "#/components/schemas/TimeZone"
        }
        assert component("TimeZone")["enum"] == sorted(zoneinfo.available_timezones())

    def test_realtime_site_id_not_blank(self):
        parameters = openapi()["paths"]["/api/v1/stats/realtime/visitors"]["get"]["parameters"]

        site_id = next(p for p in parameters if p["name"] == "site_id")

        assert site_id["schema"] == {"type": "string", "minLength": 1}
        assert site_id["required"] is True

    def test_excluded_ips_items_are_networks(self):
        items = component("SiteRequest")["properties"]["excluded_ips"]["items"]

        assert items == {
            "type": "string",
            "minLength": 1,
            "maxLength": 43,
            "pattern": NETWORK_PATTERN,
            "example": "203.0.113.0/24",
        }

    def test_any_value_query_parameter_is_text(self):
        parameters = openapi()["paths"]["/api/event.gif"]["get"]["parameters"]

        interactive = next(p for p in parameters if p["name"] == "interactive")

        assert interactive["schema"] == {"type": "string"}
        assert interactive["example"] == "true"

    def test_collect_interactive_takes_any_value(self):
        interactive = component("EventRequest")["properties"]["interactive"]

        assert "type" not in interactive
        assert interactive["default"] is True


class PropsTextPatternTest:
    @pytest.mark.parametrize(
        "text", ["", " ", "{}", '{"plan": "pro"}', ' {"seats": -3, "trial": true} ']
    )
    def test_props_text_pattern_matches_props_accepted(self, text):
        PropsField().to_internal_value(text)

        assert re.match(PROPS_TEXT_PATTERN, text)

    @pytest.mark.parametrize(
        "text",
        [
            " \v{🏻}",
            "{plan}",
            '["plan"]',
            '{"": "x"}',
            '{"plan": null}',
            '{"plan": {"tier": 1}}',
            "{" + ",".join(f'"k{n}": 1' for n in range(31)) + "}",
        ],
    )
    def test_props_text_pattern_refuses_props_refused(self, text):
        with pytest.raises(serializers.ValidationError):
            PropsField().to_internal_value(text)

        assert re.match(PROPS_TEXT_PATTERN, text) is None


class NetworkPatternTest:
    @pytest.mark.parametrize(
        "value", ["203.0.113.7", "203.0.113.0/24", "203.0.113.1/024", "::1", "2001:db8::/32"]
    )
    def test_network_pattern_matches_network_accepted(self, value):
        normalize_network(value)

        assert re.match(NETWORK_PATTERN, value)

    @pytest.mark.parametrize(
        "value", ["B", "0" * 42, "203.0.113.0/33", "::1/129", "203.0.113.07", "203.0.113"]
    )
    def test_network_pattern_refuses_network_refused(self, value):
        with pytest.raises(DjangoValidationError):
            normalize_network(value)

        assert re.match(NETWORK_PATTERN, value) is None


class IsoDatePatternTest:
    @pytest.mark.parametrize(
        "value",
        ["1970-01-01", "9998-12-31", "2026-02-28", "2026-11-01T23:59:59+15:59", "2026-04-30 12"],
    )
    def test_iso_date_pattern_matches_date_accepted(self, value):
        resolve_date_range([value, value], tz=ZoneInfo("UTC"), now=NOW, first_day=NOW.date())

        assert re.match(ISO_DATE_PATTERN, value)

    @pytest.mark.parametrize(
        "value",
        ["0000-00-00", "1969-12-31", "9999-01-01", "2026-02-30", "2026-04-31", "2026-11-01T24:00"],
    )
    def test_iso_date_pattern_refuses_date_refused(self, value):
        with pytest.raises(InvalidDateRange):
            resolve_date_range([value, value], tz=ZoneInfo("UTC"), now=NOW, first_day=NOW.date())

        assert re.match(ISO_DATE_PATTERN, value) is None


class PageUrlPatternTest:
    @pytest.mark.parametrize(
        "url",
        [
            "https://example.com/x",
            " HTTP://a@example.com/",
            "http://[::1]:8000/",
            "http://[2001:db8::7]/",
            "http://[::ffff:192.0.2.1]/",
            "http://[1:2:3:4:5:6:7:8]/",
            "http://[v1.tally]/",
            "https://exämple.com/",
        ],
    )
    def test_page_url_pattern_matches_url_accepted(self, url):
        parse_page_url(url)

        assert re.match(PAGE_URL_PATTERN, url)

    @pytest.mark.parametrize(
        "url",
        [
            "ftp://example.com/",
            "http:///x",
            "http://:80/",
            "https://user@",
            "example.com",
            "http://[bad/",
            "http://a]b/",
        ],
    )
    def test_page_url_pattern_refuses_url_without_host(self, url):
        with pytest.raises(InvalidUrl):
            parse_page_url(url)

        assert re.match(PAGE_URL_PATTERN, url) is None

    @pytest.mark.parametrize(
        "url",
        [
            "HTTP://[0]:00/",
            "http://[192.0.2.1]/",
            "http://[1:2:3:4:5:6:7:8:9]/",
            "http://[1::2::3]/",
            "http://[V1.tally]/",
            "http://[v1.\n]/",
            "http://example\uff0fcom/",
            "http://a\u2100b/",
            "http://user\uff20@example.com/",
        ],
    )
    def test_page_url_pattern_refuses_url_parser_refuses(self, url):
        with pytest.raises(InvalidUrl, match=r"^The page URL could not be parsed\.$"):
            parse_page_url(url)

        assert re.match(PAGE_URL_PATTERN, url) is None


@pytest.mark.django_db
class ResponsesMatchSchemaTest:
    """Real answers validate against the documented ones."""

    @pytest.fixture
    def client(self) -> APIClient:
        user = baker.make(User, email="ada@example.com")
        baker.make(Site, domain="example.com", timezone="Europe/Paris", owner=user)
        client = APIClient()
        client.force_authenticate(user)
        return client

    def documented(self, path: str, method: str, status: HTTPStatus) -> dict:
        responses = openapi()["paths"][path][method]["responses"]
        return responses[str(status.value)]["content"]["application/json"]

    def test_stats_query_examples_answer_as_documented(self, client):
        media = openapi()["paths"]["/api/v2/query"]["post"]["requestBody"]["content"]
        answered = []

        for example in media["application/json"]["examples"].values():
            response = client.post("/api/v2/query", example["value"], format="json")
            answered.append(response.status_code)
            validate(
                response.json(), self.documented("/api/v2/query", "post", HTTPStatus.OK)["schema"]
            )

        assert answered == [HTTPStatus.OK, HTTPStatus.OK]

    def test_stats_query_error_answers_as_documented(self, client):
        response = client.post("/api/v2/query", {"site_id": "example.com"}, format="json")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        validate(
            response.json(),
            self.documented("/api/v2/query", "post", HTTPStatus.BAD_REQUEST)["schema"],
        )

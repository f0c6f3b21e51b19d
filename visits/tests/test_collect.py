"""The public collect endpoints: POST /api/event, GET /api/event.gif and GET /js/script.js."""

import gzip
import io
import json
import logging
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
import time_machine
from model_bakery import baker

from proj.api.serializers import NOT_A_STRING
from proj.tests.bodies import CountingStream, post_chunked
from proj.tests.errors import assert_error, assert_invalid
from proj.tests.outage import database_unreachable, table_locked
from sites.models import Site
from visits import collect, sitecache, writer
from visits.collect import DROPPED_HEADER, TRACKER_FILE
from visits.models import Session, Visit
from visits.tests.events import CHROME
from visits.tests.test_writer import eventually
from visits.visitors import visitor_of_day
from visits.writer import EventWriter

pytestmark = pytest.mark.django_db

EVENT_URL = "/api/event"
PIXEL_URL = "/api/event.gif"
TRACKER_URL = "/js/script.js"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
VISITOR_IP = "8.8.8.8"  # the United States in the bundled country data
NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
PAGEVIEW = {"n": "pageview", "u": "https://example.com/pricing", "d": "example.com"}
BAD_VALUE = "Property 'plan': values are strings, numbers or booleans of at most 2000 bytes."
NOT_OBJECT = "Expected an object of string keys and values."
LONG_NAMES = {
    "n": "name",
    "u": "url",
    "d": "domain",
    "r": "referrer",
    "p": "props",
    "i": "interactive",
}


def post_event(client, body, *, ip=VISITOR_IP, user_agent=CHROME, **extra):
    """Post an event as a browser at this address would, as JSON."""
    return client.post(
        EVENT_URL, body, format="json", REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent, **extra
    )


def post_raw(client, body: str | bytes, content_type: str):
    """Post a body as given, with a desktop browser's User-Agent."""
    return client.post(
        EVENT_URL, body, content_type=content_type, REMOTE_ADDR=VISITOR_IP, HTTP_USER_AGENT=CHROME
    )


def get_pixel(client, params, *, user_agent=CHROME):
    return client.get(PIXEL_URL, params, REMOTE_ADDR=VISITOR_IP, HTTP_USER_AGENT=user_agent)


def log_events(caplog, event):
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg["event"] == event]


@pytest.fixture
def site():
    return baker.make(Site, domain="example.com")


class EventViewTest:
    def test_event_recorded(self, api_client, site):
        with time_machine.travel(NOW, tick=False):
            response = post_event(
                api_client,
                {
                    "name": "pageview",
                    "url": "https://example.com/pricing?utm_source=newsletter",
                    "domain": "example.com",
                    "referrer": "https://news.ycombinator.com/item?id=1",
                    "props": {"plan": "pro"},
                    "interactive": True,
                },
            )

        assert response.status_code == HTTPStatus.ACCEPTED
        assert response.json() == {"status": "accepted"}
        assert DROPPED_HEADER not in response
        visit = Visit.objects.get(site=site)
        assert visit.timestamp == NOW
        assert visit.name == "pageview"
        assert visit.hostname == "example.com"
        assert visit.path == "/pricing"
        assert visit.referrer == "news.ycombinator.com"
        assert visit.source == "newsletter"
        assert visit.utm_source == "newsletter"
        assert visit.props == {"plan": "pro"}
        assert visit.interactive is True
        assert visit.country == "US"
        assert (visit.browser, visit.os, visit.device) == ("Chrome", "Windows", "desktop")

    def test_event_opens_session(self, api_client, site):
        post_event(api_client, PAGEVIEW)

        visit = Visit.objects.get(site=site)
        session = Session.objects.get(site=site)
        assert session.session_id == visit.session_id
        assert session.visitor_id == visitor_of_day(visit.visitor_id, visit.timestamp.date())
        assert (session.pageviews, session.events) == (1, 1)
        assert session.entry_page == session.exit_page == "/pricing"

    def test_event_one_letter_aliases(self, api_client, site):
        response = post_event(
            api_client,
            {
                "n": "signup",
                "u": "https://example.com/join",
                "d": "example.com",
                "r": "https://github.com/",
                "p": {"plan": "pro"},
                "i": False,
            },
        )

        assert response.status_code == HTTPStatus.ACCEPTED
        visit = Visit.objects.get(site=site)
        assert (visit.name, visit.path, visit.source) == ("signup", "/join", "GitHub")
        assert visit.props == {"plan": "pro"}
        assert visit.interactive is False

    def test_event_long_name_wins_over_alias(self, api_client, site):
        response = post_event(
            api_client,
            {
                "name": "signup",
                "n": "pageview",
                "url": "https://example.com/join",
                "u": "https://example.com/ignored",
                "d": "example.com",
            },
        )

        assert response.status_code == HTTPStatus.ACCEPTED
        visit = Visit.objects.get(site=site)
        assert (visit.name, visit.path) == ("signup", "/join")

    def test_event_json_sent_as_text_plain(self, api_client, site):
        response = post_raw(api_client, json.dumps(PAGEVIEW), "text/plain;charset=UTF-8")

        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.filter(site=site, path="/pricing").exists()

    def test_event_multiple_domains_one_row_per_site(self, api_client, site):
        blog = baker.make(Site, domain="blog.example.com")

        response = post_event(
            api_client,
            {
                "n": "pageview",
                "u": "https://blog.example.com/post",
                "d": "example.com,blog.example.com",
            },
        )

        assert response.status_code == HTTPStatus.ACCEPTED
        assert DROPPED_HEADER not in response
        assert list(Visit.objects.filter(site=site).values_list("path", flat=True)) == ["/post"]
        assert list(Visit.objects.filter(site=blog).values_list("path", flat=True)) == ["/post"]

    def test_event_repeated_domain_recorded_once(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "d": "example.com, EXAMPLE.com"})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.filter(site=site).count() == 1

    def test_event_domain_normalised(self, api_client, site):
        response = post_event(
            api_client,
            {"n": "pageview", "u": "https://www.example.com/", "d": " WWW.Example.com "},
        )

        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.get(site=site).hostname == "www.example.com"

    def test_event_referrer_null(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "r": None})

        assert response.status_code == HTTPStatus.ACCEPTED
        visit = Visit.objects.get(site=site)
        assert (visit.referrer, visit.source) == ("", "")

    def test_event_referrer_missing(self, api_client, site):
        post_event(api_client, PAGEVIEW)

        visit = Visit.objects.get(site=site)
        assert (visit.referrer, visit.source) == ("", "")

    def test_event_props_missing(self, api_client, site):
        post_event(api_client, PAGEVIEW)

        assert Visit.objects.get(site=site).props == {}

    def test_event_props_as_json_string(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "p": '{"plan": "pro", "seats": 3}'})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.get(site=site).props == {"plan": "pro", "seats": "3"}

    def test_event_props_numbers_and_booleans_stringified(self, api_client, site):
        response = post_event(
            api_client,
            {**PAGEVIEW, "p": {"seats": 3, "price": 9.5, "trial": True, "paid": False}},
        )

        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.get(site=site).props == {
            "seats": "3",
            "price": "9.5",
            "trial": "true",
            "paid": "false",
        }

    def test_event_interactive_false_stored(self, api_client, site):
        post_event(api_client, {**PAGEVIEW, "n": "scroll", "i": False})

        visit = Visit.objects.get(site=site)
        assert visit.interactive is False
        assert Session.objects.get(site=site).interactive_events == 0

    @pytest.mark.parametrize(
        "value",
        ["maybe", None, [], {"on": False}, 2],
        ids=["string", "null", "list", "object", "2"],
    )
    def test_event_interactive_not_a_boolean_ignored(self, api_client, site, value):
        # As Plausible: a value it does not read as a boolean counts as the default, true.
        response = post_event(api_client, {**PAGEVIEW, "i": value})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.get(site=site).interactive is True

    def test_event_interactive_false_string_stored(self, api_client, site):
        post_event(api_client, {**PAGEVIEW, "n": "scroll", "interactive": "false"})

        assert Visit.objects.get(site=site).interactive is False

    def test_event_stores_neither_ip_nor_user_agent(self, api_client, site):
        post_event(api_client, PAGEVIEW, ip="81.2.69.142")

        rows = [*Visit.objects.filter(site=site).values(), *Session.objects.values()]
        assert len(rows) == 2
        cells = [str(value) for row in rows for value in row.values()]
        assert not [cell for cell in cells if "81.2.69.142" in cell or CHROME in cell]
        assert Visit.objects.get(site=site).country == "GB"  # the address was used, then dropped

    @pytest.mark.parametrize(
        ("body", "details"),
        [
            (
                {"u": "https://example.com/", "d": "example.com"},
                {"name": ["This field is required."]},
            ),
            ({"n": "pageview", "d": "example.com"}, {"url": ["This field is required."]}),
            (
                {"n": "pageview", "u": "https://example.com/"},
                {"domain": ["This field is required."]},
            ),
            (
                {},
                {
                    "name": ["This field is required."],
                    "url": ["This field is required."],
                    "domain": ["This field is required."],
                },
            ),
        ],
        ids=["name", "url", "domain", "all"],
    )
    def test_event_missing_field(self, api_client, site, body, details):
        response = post_event(api_client, body)

        assert_invalid(response, details)
        assert not Visit.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("n", "x" * 121, "Ensure this field has no more than 120 characters."),
            ("n", "", "This field may not be blank."),
            ("n", 42, NOT_A_STRING),
            ("n", None, "This field may not be null."),
            ("u", "ftp://example.com/file", "A page URL must start with http:// or https://."),
            ("u", "/pricing", "A page URL must start with http:// or https://."),
            ("u", "https:///pricing", "A page URL must have a host."),
            ("u", "https://[example.com/", "The page URL could not be parsed."),
            (
                "u",
                "https://example.com/" + "a" * 1981,
                "A page URL may be at most 2000 bytes long.",
            ),
            ("u", ["https://example.com/"], NOT_A_STRING),
            ("d", {"domain": "example.com"}, NOT_A_STRING),
            ("d", ",", "Give the domain of the site."),
            ("d", " , ", "Give the domain of the site."),
            ("d", "", "This field may not be blank."),
            ("d", ",".join(f"site{number}.com" for number in range(11)), "At most 10 domains."),
            ("r", 7, NOT_A_STRING),
            (
                "r",
                "https://google.com/" + "q" * 1982,
                "Ensure this field has no more than 2000 characters.",
            ),
            ("p", ["plan", "pro"], NOT_OBJECT),
            ("p", "{not json", NOT_OBJECT),
            ("p", '["plan"]', NOT_OBJECT),
            ("p", None, "This field may not be null."),
            ("p", {f"key{number}": "v" for number in range(31)}, "At most 30 properties."),
            ("p", {"": "v"}, "Property names are non-empty strings of at most 300 bytes."),
            ("p", {"k" * 301: "v"}, "Property names are non-empty strings of at most 300 bytes."),
            ("p", {"é" * 151: "v"}, "Property names are non-empty strings of at most 300 bytes."),
        ],
    )
    def test_event_invalid_field(self, api_client, site, field, value, message):
        response = post_event(api_client, {**PAGEVIEW, field: value})

        assert_invalid(response, {LONG_NAMES[field]: [message]})
        assert not Visit.objects.exists()

    @pytest.mark.parametrize(
        "value",
        [{"name": "pro"}, ["pro"], None, "x" * 2001, "é" * 1001],
        ids=["object", "list", "null", "long", "long-in-bytes"],
    )
    def test_event_invalid_prop_value(self, api_client, site, value):
        response = post_event(api_client, {**PAGEVIEW, "p": {"plan": value}})

        assert_invalid(response, {"props": [BAD_VALUE]})
        assert not Visit.objects.exists()

    def test_event_url_at_byte_limit_accepted(self, api_client, site):
        url = "https://example.com/" + "a" * 1980

        response = post_event(api_client, {**PAGEVIEW, "u": url})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.get(site=site).path == "/" + "a" * 1980

    def test_event_props_at_limits_accepted(self, api_client, site):
        props = {f"key{number}": "v" for number in range(29)} | {"k" * 300: "é" * 1000}

        response = post_event(api_client, {**PAGEVIEW, "p": props})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.get(site=site).props == props

    def test_event_malformed_json(self, api_client, site):
        response = post_raw(api_client, '{"n": "pageview",', "application/json")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["code"] == "parse_error"
        assert "details" not in response.json()

    def test_event_malformed_json_as_text_plain(self, api_client, site):
        response = post_raw(api_client, "n=pageview", "text/plain")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["code"] == "parse_error"

    def test_event_body_not_utf8(self, api_client, site):
        response = post_raw(api_client, b'{"n": "\xff"}', "application/json")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["code"] == "parse_error"

    def test_event_deeply_nested_json(self, api_client, site):
        response = post_raw(api_client, "[" * 60000, "application/json")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["code"] == "parse_error"

    @pytest.mark.parametrize(
        ("body", "kind"), [("[1, 2]", "list"), ('"pageview"', "str"), ("42", "int")]
    )
    def test_event_body_not_an_object(self, api_client, site, body, kind):
        response = post_raw(api_client, body, "application/json")

        assert_invalid(
            response,
            {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]},
        )

    def test_event_body_null(self, api_client, site):
        response = post_raw(api_client, "null", "application/json")

        assert_invalid(response, {"non_field_errors": ["No data provided"]})

    def test_event_empty_body(self, api_client, site):
        response = post_raw(api_client, "", "text/plain")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert set(response.json()["details"]) == {"name", "url", "domain"}

    def test_event_body_over_64_kb(self, api_client, site):
        body = json.dumps({**PAGEVIEW, "padding": "x" * 64 * 1024})

        response = post_raw(api_client, body, "application/json")

        assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        assert response.json()["code"] == "payload_too_large"
        assert response.json()["error"] == "The request body is larger than 64 KB."
        assert not Visit.objects.exists()

    def test_event_body_of_64_kb_accepted(self, api_client, site):
        start = json.dumps({**PAGEVIEW, "padding": ""})
        body = start[:-2] + "x" * (64 * 1024 - len(start)) + start[-2:]

        response = post_raw(api_client, body, "application/json")

        assert len(body) == 64 * 1024
        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.filter(site=site).exists()

    def test_event_chunked_body_accepted(self, api_client, site):
        stream = io.BytesIO(json.dumps(PAGEVIEW).encode())

        response = post_chunked(
            api_client,
            EVENT_URL,
            stream,
            "text/plain",
            REMOTE_ADDR=VISITOR_IP,
            HTTP_USER_AGENT=CHROME,
        )

        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.get(site=site).path == "/pricing"

    def test_event_chunked_body_over_64_kb(self, api_client, site):
        stream = CountingStream(json.dumps({**PAGEVIEW, "padding": "x" * 10 * 64 * 1024}).encode())

        response = post_chunked(api_client, EVENT_URL, stream, "application/json")

        body = assert_error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large")
        assert body["error"] == "The request body is larger than 64 KB."
        assert stream.bytes_read == 64 * 1024 + 1
        assert not Visit.objects.exists()

    def test_event_form_encoded_unsupported(self, api_client, site):
        response = post_raw(
            api_client,
            "n=pageview&u=https%3A%2F%2Fexample.com%2F&d=example.com",
            "application/x-www-form-urlencoded",
        )

        assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
        assert response.json()["code"] == "unsupported_media_type"
        assert not Visit.objects.exists()

    def test_event_prop_value_lone_surrogate(self, api_client, site):
        response = post_raw(
            api_client,
            '{"n": "pageview", "u": "https://example.com/", "d": "example.com", '
            '"p": {"plan": "\\ud800"}}',
            "application/json",
        )

        assert_invalid(response, {"props": [BAD_VALUE]})

    def test_event_prop_value_nul_character(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "p": {"plan": "pro\x00"}})

        assert_invalid(response, {"props": [BAD_VALUE]})

    def test_event_utm_tag_with_encoded_nul(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "u": "https://example.com/?utm_source=%00"})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert Visit.objects.get().utm_source == ""

    @pytest.mark.parametrize(
        ("fields", "user_agent", "column", "length"),
        [
            ({"r": "https://" + "a" * 300 + ".com/"}, CHROME, "referrer", 253),
            ({"u": "https://" + "a" * 300 + ".example.com/"}, CHROME, "hostname", 253),
            (
                {},
                CHROME.replace("Chrome/124.0.0.0", "Chrome/" + "9" * 60 + ".0.0.0"),
                "browser_version",
                50,
            ),
        ],
        ids=["referrer-host", "page-host", "browser-version"],
    )
    def test_event_oversize_enriched_value_truncated(
        self, api_client, site, fields, user_agent, column, length
    ):
        response = post_event(api_client, {**PAGEVIEW, **fields}, user_agent=user_agent)

        assert response.status_code == HTTPStatus.ACCEPTED
        assert len(getattr(Visit.objects.get(), column)) == length

    def test_event_writer_full(self, api_client, site, settings, monkeypatch, caplog):
        settings.INGEST_BUFFER = True
        monkeypatch.setattr(writer, "MAX_PENDING", 0)

        response = post_event(api_client, PAGEVIEW)

        assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert response["Retry-After"] == "5"
        assert response.json()["code"] == "ingest_unavailable"
        [log] = log_events(caplog, "event_refused_writer_full")
        assert (log["events"], log["level"]) == (1, "warning")
        assert not Visit.objects.exists()

    def test_event_writer_full_for_second_domain_takes_neither(
        self, api_client, site, settings, monkeypatch
    ):
        baker.make(Site, domain="blog.example.com")
        settings.INGEST_BUFFER = True
        monkeypatch.setattr(writer, "MAX_PENDING", 1)
        both = {**PAGEVIEW, "u": "https://blog.example.com/", "d": "example.com,blog.example.com"}

        response = post_event(api_client, both)

        assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert writer.event_writer.pending() == 0

    def test_event_errors_allow_any_origin(self, api_client, site):
        response = post_event(api_client, {}, HTTP_ORIGIN="https://example.com")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response["Access-Control-Allow-Origin"] == "*"


class EventDropTest:
    @pytest.mark.parametrize(
        "user_agent",
        [GOOGLEBOT, "", "curl/8.5.0"],
        ids=["googlebot", "empty", "curl"],
    )
    def test_event_bot_dropped(self, api_client, site, user_agent):
        response = post_event(api_client, PAGEVIEW, user_agent=user_agent)

        assert response.status_code == HTTPStatus.ACCEPTED
        assert response[DROPPED_HEADER] == "bot"
        assert not Visit.objects.exists()
        assert not Session.objects.exists()

    def test_event_without_user_agent_header_dropped(self, api_client, site):
        response = api_client.post(EVENT_URL, PAGEVIEW, format="json", REMOTE_ADDR=VISITOR_IP)

        assert response[DROPPED_HEADER] == "bot"
        assert not Visit.objects.exists()

    def test_event_unknown_domain_dropped(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "d": "unknown.org"})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert response[DROPPED_HEADER] == "unknown_domain"
        assert not Visit.objects.exists()

    def test_event_invalid_domain_dropped_as_unknown(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "d": "localhost"})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert response[DROPPED_HEADER] == "unknown_domain"
        assert not Visit.objects.exists()

    def test_event_excluded_ip_dropped(self, api_client):
        baker.make(Site, domain="example.com", excluded_ips=["203.0.113.0/24"])

        response = post_event(api_client, PAGEVIEW, ip="203.0.113.77")

        assert response.status_code == HTTPStatus.ACCEPTED
        assert response[DROPPED_HEADER] == "excluded_ip"
        assert not Visit.objects.exists()

    def test_event_other_ip_of_excluding_site_recorded(self, api_client):
        site = baker.make(Site, domain="example.com", excluded_ips=["203.0.113.0/24"])

        response = post_event(api_client, PAGEVIEW, ip="198.51.100.7")

        assert DROPPED_HEADER not in response
        assert Visit.objects.filter(site=site).exists()

    def test_event_hostname_mismatch_dropped(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "u": "https://other.com/pricing"})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert response[DROPPED_HEADER] == "hostname_mismatch"
        assert not Visit.objects.exists()

    def test_event_lookalike_hostname_dropped(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "u": "https://notexample.com/"})

        assert response[DROPPED_HEADER] == "hostname_mismatch"
        assert not Visit.objects.exists()

    def test_event_subdomain_accepted(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "u": "https://blog.example.com/post"})

        assert DROPPED_HEADER not in response
        assert Visit.objects.get(site=site).hostname == "blog.example.com"

    def test_event_one_domain_unknown(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "d": "example.com,unknown.org"})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert response[DROPPED_HEADER] == "unknown_domain"
        assert Visit.objects.filter(site=site).count() == 1

    def test_event_drop_reasons_named_once_each(self, api_client, site):
        baker.make(Site, domain="other.com")

        response = post_event(
            api_client, {**PAGEVIEW, "d": "unknown.org,other.com,missing.net,example.com"}
        )

        assert response[DROPPED_HEADER] == "unknown_domain,hostname_mismatch"
        assert list(Visit.objects.values_list("site__domain", flat=True)) == ["example.com"]

    def test_event_drop_header_exposed_to_scripts(self, api_client, site):
        response = post_event(api_client, {**PAGEVIEW, "d": "unknown.org"})

        assert response["Access-Control-Expose-Headers"] == DROPPED_HEADER

    def test_event_drop_logged_without_ip(self, api_client, site, caplog):
        post_event(api_client, PAGEVIEW, ip="81.2.69.142", user_agent=GOOGLEBOT)

        (event,) = log_events(caplog, "event_dropped")
        assert event["reason"] == "bot"
        assert event["site_id"] == site.pk
        logged = " ".join(str(r.msg) + r.getMessage() for r in caplog.records)
        assert "81.2.69.142" not in logged
        assert "Googlebot" not in logged

    def test_event_unknown_domain_logged(self, api_client, site, caplog):
        post_event(api_client, {**PAGEVIEW, "d": "unknown.org"}, ip="81.2.69.142")

        (event,) = log_events(caplog, "event_dropped")
        assert event["reason"] == "unknown_domain"
        assert event["domain"] == "unknown.org"
        logged = " ".join(str(r.msg) + r.getMessage() for r in caplog.records)
        assert "81.2.69.142" not in logged

    def test_event_recorded_not_logged_as_dropped(self, api_client, site, caplog):
        post_event(api_client, PAGEVIEW)

        assert log_events(caplog, "event_dropped") == []


class EventClientIpTest:
    def test_event_forwarded_for_from_trusted_proxy(self, api_client, site):
        post_event(api_client, PAGEVIEW, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="8.8.8.8")

        assert Visit.objects.get(site=site).country == "US"

    def test_event_forwarded_for_from_trusted_proxy_excluded(self, api_client):
        baker.make(Site, domain="example.com", excluded_ips=["8.8.8.8/32"])

        response = post_event(api_client, PAGEVIEW, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="8.8.8.8")

        assert response[DROPPED_HEADER] == "excluded_ip"
        assert not Visit.objects.exists()

    def test_event_forwarded_for_from_untrusted_peer_ignored(self, api_client):
        site = baker.make(Site, domain="example.com", excluded_ips=["8.8.8.8/32"])

        response = post_event(
            api_client, PAGEVIEW, ip="203.0.113.9", HTTP_X_FORWARDED_FOR="8.8.8.8"
        )

        assert DROPPED_HEADER not in response
        assert Visit.objects.get(site=site).country == ""  # 203.0.113.9 is documentation space

    def test_event_forwarded_for_spoofed_hop_ignored(self, api_client, site):
        post_event(api_client, PAGEVIEW, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="8.8.8.8, 1.1.1.1")

        assert Visit.objects.get(site=site).country == "AU"  # 1.1.1.1, added by the proxy

    def test_event_direct_peer_without_forwarded_for(self, api_client, site):
        post_event(api_client, PAGEVIEW, ip="1.1.1.1")

        assert Visit.objects.get(site=site).country == "AU"


class EventCorsTest:
    def test_event_allows_any_origin(self, api_client, site):
        response = post_event(api_client, PAGEVIEW, HTTP_ORIGIN="https://example.com")

        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response

    def test_event_preflight(self, api_client):
        response = api_client.options(
            EVENT_URL,
            HTTP_ORIGIN="https://example.com",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
        )

        assert response.status_code == HTTPStatus.OK
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
        assert response["Access-Control-Allow-Headers"] == "Content-Type"
        assert response["Access-Control-Max-Age"] == "86400"

    def test_pixel_preflight(self, api_client):
        response = api_client.options(
            PIXEL_URL, HTTP_ORIGIN="https://example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
        )

        assert response.status_code == HTTPStatus.OK
        assert response["Access-Control-Allow-Origin"] == "*"

    def test_event_get_not_allowed(self, api_client):
        response = api_client.get(EVENT_URL)

        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
        assert response["Access-Control-Allow-Origin"] == "*"


class EventPixelViewTest:
    def test_pixel_recorded(self, api_client, site):
        response = get_pixel(
            api_client,
            {
                "n": "pageview",
                "u": "https://example.com/noscript",
                "d": "example.com",
                "p": '{"plan": "pro"}',
                "i": "false",
            },
        )

        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "image/gif"
        assert response["Cache-Control"] == "no-store"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.content.startswith(b"GIF89a")
        assert DROPPED_HEADER not in response
        visit = Visit.objects.get(site=site)
        assert (visit.path, visit.props, visit.interactive) == ("/noscript", {"plan": "pro"}, False)

    def test_pixel_with_image_accept_header(self, api_client, site):
        response = api_client.get(
            PIXEL_URL,
            PAGEVIEW,
            REMOTE_ADDR=VISITOR_IP,
            HTTP_USER_AGENT=CHROME,
            HTTP_ACCEPT="image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
        )

        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "image/gif"

    def test_pixel_long_names(self, api_client, site):
        response = get_pixel(
            api_client, {"name": "pageview", "url": "https://example.com/", "domain": "example.com"}
        )

        assert response.status_code == HTTPStatus.OK
        assert Visit.objects.filter(site=site, path="/").exists()

    def test_pixel_dropped(self, api_client, site):
        response = get_pixel(api_client, PAGEVIEW, user_agent=GOOGLEBOT)

        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "image/gif"
        assert response.content.startswith(b"GIF89a")
        assert response[DROPPED_HEADER] == "bot"
        assert not Visit.objects.exists()

    def test_pixel_invalid(self, api_client, site):
        response = get_pixel(api_client, {"n": "pageview", "u": "mailto:a@example.com"})

        assert_invalid(
            response,
            {
                "url": ["A page URL must start with http:// or https://."],
                "domain": ["This field is required."],
            },
        )
        assert response["Content-Type"] == "application/json"
        assert not Visit.objects.exists()


class TrackerTest:
    def test_tracker_served(self, api_client):
        response = api_client.get(TRACKER_URL)

        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "application/javascript"
        assert response["Cache-Control"] == "public, max-age=86400"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.content == TRACKER_FILE.read_bytes()

    def test_tracker_reads_data_domain(self, api_client):
        response = api_client.get(TRACKER_URL)

        # Minified: the attribute is read as "data-" + "domain".
        assert b'getAttribute("data-"+k)' in response.content
        assert b'a("domain")' in response.content

    def test_tracker_etag_stable(self, api_client):
        first = api_client.get(TRACKER_URL)

        again = api_client.get(TRACKER_URL)

        assert first["ETag"]
        assert again["ETag"] == first["ETag"]

    def test_tracker_not_modified(self, api_client):
        etag = api_client.get(TRACKER_URL)["ETag"]

        response = api_client.get(TRACKER_URL, HTTP_IF_NONE_MATCH=etag)

        assert response.status_code == HTTPStatus.NOT_MODIFIED
        assert response.content == b""

    def test_tracker_other_etag_served(self, api_client):
        response = api_client.get(TRACKER_URL, HTTP_IF_NONE_MATCH='"0123456789abcdef"')

        assert response.status_code == HTTPStatus.OK
        assert response.content == TRACKER_FILE.read_bytes()

    def test_tracker_gzipped(self, api_client):
        response = api_client.get(TRACKER_URL, HTTP_ACCEPT_ENCODING="gzip")

        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert len(response.content) <= 1024
        assert gzip.decompress(response.content) == TRACKER_FILE.read_bytes()

    def test_tracker_gzipped_not_modified(self, api_client):
        etag = api_client.get(TRACKER_URL, HTTP_ACCEPT_ENCODING="gzip")["ETag"]

        response = api_client.get(TRACKER_URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)

        assert response.status_code == HTTPStatus.NOT_MODIFIED

    def test_tracker_plain_without_accept_encoding(self, api_client):
        response = api_client.get(TRACKER_URL)

        assert "Content-Encoding" not in response


class EventDomainLoggingTest:
    @pytest.mark.django_db
    def test_unparseable_domain_logged_escaped(self, api_client, caplog):
        api_client.post(
            "/api/event",
            {"n": "pageview", "u": "https://example.com/", "d": "bad domain\nFAKE line"},
            HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        )

        (event,) = [
            r.msg
            for r in caplog.records
            if isinstance(r.msg, dict) and r.msg["event"] == "event_dropped"
        ]
        assert event["domain"] == "bad domain\\nfake line"  # a backslash and an n


@pytest.fixture
def buffered_writer(settings, monkeypatch) -> EventWriter:
    """Return the collect endpoints' writer, buffering and quick to retry, stopped after."""
    settings.INGEST_BUFFER = True
    monkeypatch.setattr(writer, "RETRY_SECONDS", (0.05,))
    event_writer = EventWriter()
    monkeypatch.setattr(collect, "event_writer", event_writer)
    yield event_writer
    event_writer.stop()


@pytest.fixture
def clock(monkeypatch):
    """Return a settable clock for the site cache."""
    now = [1000.0]
    monkeypatch.setattr(sitecache, "monotonic", lambda: now[0])
    return now


def paths() -> list[str]:
    return sorted(Visit.objects.values_list("path", flat=True))


@pytest.mark.django_db(transaction=True)
class EventOutageTest:
    def test_event_database_unreachable_site_expired_accepted(
        self, api_client, site, buffered_writer, clock
    ):
        post_event(api_client, PAGEVIEW)
        clock[0] += sitecache.SITE_CACHE_SECONDS

        with database_unreachable():
            response = post_event(api_client, {**PAGEVIEW, "u": "https://example.com/later"})

        assert response.status_code == HTTPStatus.ACCEPTED
        assert eventually(lambda: paths() == ["/later", "/pricing"])

    def test_pixel_database_unreachable_accepted(self, api_client, site, buffered_writer, clock):
        get_pixel(api_client, PAGEVIEW)
        clock[0] += sitecache.SITE_CACHE_SECONDS

        with database_unreachable():
            response = get_pixel(api_client, {**PAGEVIEW, "u": "https://example.com/later"})

        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "image/gif"
        assert eventually(lambda: paths() == ["/later", "/pricing"])

    def test_event_database_unreachable_stored_before_answering(self, api_client, site):
        post_event(api_client, PAGEVIEW)

        with database_unreachable():
            response = post_event(api_client, {**PAGEVIEW, "u": "https://example.com/later"})

        body = assert_error(response, HTTPStatus.SERVICE_UNAVAILABLE, "ingest_unavailable")
        assert body["error"] == "The database is unreachable; send this event again shortly."
        assert response["Retry-After"] == "5"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert paths() == ["/pricing"]

    def test_event_database_unreachable_site_never_seen(self, api_client, site, buffered_writer):
        with database_unreachable():
            response = post_event(api_client, PAGEVIEW)

        body = assert_error(response, HTTPStatus.SERVICE_UNAVAILABLE, "ingest_unavailable")
        assert body["error"] == "The database is unreachable; send this event again shortly."
        assert response["Retry-After"] == "5"
        assert buffered_writer.pending() == 0

    def test_event_database_unreachable_logged_once(self, api_client, site, caplog):
        post_event(api_client, PAGEVIEW)

        with database_unreachable():
            post_event(api_client, PAGEVIEW)
            post_event(api_client, PAGEVIEW)

        assert [log["level"] for log in log_events(caplog, "database_unavailable")] == ["warning"]
        assert [r.msg for r in caplog.records if r.levelno >= logging.ERROR] == []

    def test_event_query_error_not_an_outage(self, api_client, site):
        with table_locked("sites_site"):
            response = post_event(api_client, PAGEVIEW)

        assert_error(response, HTTPStatus.INTERNAL_SERVER_ERROR, "server_error")

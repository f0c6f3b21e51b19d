"""The serializers of events and visits, on the edge cases the view tests do not reach."""

from datetime import UTC, datetime, timedelta

import pytest
from django.http import QueryDict
from model_bakery import baker
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from proj.api.serializers import NOT_A_STRING
from sites.models import Membership, Role, Site
from visits.serializers import (
    EventSerializer,
    PropsField,
    ServerVisitSerializer,
    StrictCharField,
    plain_event,
    validate_event,
    validate_page_url,
)
from visits.tests.events import CHROME

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
EVENT = {"n": "pageview", "u": "https://example.com/", "d": "example.com"}


def server_context(user) -> dict:
    request = APIRequestFactory().post("/api/visits/")
    request.user = user
    return {"request": request, "now": NOW}


class StrictCharFieldTest:
    @pytest.mark.parametrize("value", [True, 3, 1.5, ["a"], {"a": "b"}])
    def test_strict_char_field_not_a_string(self, value):
        field = StrictCharField()

        with pytest.raises(serializers.ValidationError) as error:
            field.run_validation(value)

        assert error.value.detail == [NOT_A_STRING]

    def test_strict_char_field_string(self):
        field = StrictCharField()

        value = field.run_validation("  pageview ")

        assert value == "pageview"


class PropsFieldTest:
    @pytest.mark.parametrize("value", ["", "   "])
    def test_props_field_blank_string(self, value):
        field = PropsField()

        props = field.run_validation(value)

        assert props == {}

    def test_props_field_empty_object(self):
        field = PropsField()

        props = field.run_validation({})

        assert props == {}

    def test_props_field_json_string(self):
        field = PropsField()

        props = field.run_validation('{"plan": "pro", "seats": 3, "trial": false}')

        assert props == {"plan": "pro", "seats": "3", "trial": "false"}

    def test_props_field_thirty_pairs(self):
        field = PropsField()
        pairs = {f"key{number}": str(number) for number in range(30)}

        props = field.run_validation(pairs)

        assert props == pairs

    @pytest.mark.parametrize("value", ["null", "42", '"plan"', "[]", "{", 7, True])
    def test_props_field_not_an_object(self, value):
        field = PropsField()

        with pytest.raises(serializers.ValidationError) as error:
            field.run_validation(value)

        assert error.value.detail == ["Expected an object of string keys and values."]

    def test_props_field_representation(self):
        field = PropsField()

        value = field.to_representation({"plan": "pro"})

        assert value == {"plan": "pro"}


class ValidatePageUrlTest:
    def test_validate_page_url_valid(self):
        url = validate_page_url("https://example.com/pricing?plan=pro")

        assert url == "https://example.com/pricing?plan=pro"

    def test_validate_page_url_invalid(self):
        with pytest.raises(serializers.ValidationError) as error:
            validate_page_url("javascript:alert(1)")

        assert error.value.detail == ["A page URL must start with http:// or https://."]


class EventSerializerTest:
    def test_event_serializer_defaults(self):
        serializer = EventSerializer(data=EVENT)

        valid = serializer.is_valid()

        assert valid, serializer.errors
        assert serializer.validated_data == {
            "name": "pageview",
            "url": "https://example.com/",
            "domain": ["example.com"],
            "referrer": "",
            "props": {},
            "interactive": True,
        }

    def test_event_serializer_query_parameters(self):
        query = QueryDict("n=signup&u=https://example.com/&d=example.com&p=&i=0")
        serializer = EventSerializer(data=query)

        valid = serializer.is_valid()

        assert valid, serializer.errors
        assert serializer.validated_data["name"] == "signup"
        assert serializer.validated_data["props"] == {}
        assert serializer.validated_data["interactive"] is False

    def test_event_serializer_unknown_keys_ignored(self):
        serializer = EventSerializer(data={**EVENT, "x": "1", "h": 1})

        valid = serializer.is_valid()

        assert valid, serializer.errors
        assert set(serializer.validated_data) == {
            "name",
            "url",
            "domain",
            "referrer",
            "props",
            "interactive",
        }

    def test_event_serializer_domains_normalised_and_deduplicated(self):
        serializer = EventSerializer(
            data={**EVENT, "d": "https://WWW.Example.com/shop, example.com,Bücher.de,,"}
        )

        valid = serializer.is_valid()

        assert valid, serializer.errors
        assert serializer.validated_data["domain"] == ["example.com", "xn--bcher-kva.de"]

    def test_event_serializer_invalid_domain_kept_lowercased(self):
        serializer = EventSerializer(data={**EVENT, "d": "example.com, Not A Domain"})

        valid = serializer.is_valid()

        assert valid, serializer.errors
        assert serializer.validated_data["domain"] == ["example.com", "not a domain"]

    def test_event_serializer_ten_domains(self):
        domains = ",".join(f"site{number}.com" for number in range(10))
        serializer = EventSerializer(data={**EVENT, "d": domains})

        valid = serializer.is_valid()

        assert valid, serializer.errors
        assert len(serializer.validated_data["domain"]) == 10

    def test_event_serializer_eleven_domains_counted_after_deduplication(self):
        domains = ",".join(["example.com"] * 11)
        serializer = EventSerializer(data={**EVENT, "d": domains})

        valid = serializer.is_valid()

        assert valid, serializer.errors
        assert serializer.validated_data["domain"] == ["example.com"]

    def test_event_serializer_referrer_null(self):
        serializer = EventSerializer(data={**EVENT, "r": None})

        valid = serializer.is_valid()

        assert valid, serializer.errors
        assert serializer.validated_data["referrer"] == ""

    def test_event_serializer_not_a_mapping(self):
        serializer = EventSerializer(data=[EVENT])

        valid = serializer.is_valid()

        assert not valid
        assert serializer.errors == {
            "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
        }


def serializer_outcome(data) -> tuple[str, object]:
    """Return what EventSerializer makes of data: its validated data or its errors."""
    serializer = EventSerializer(data=data)
    if serializer.is_valid():
        return "valid", dict(serializer.validated_data)
    return "invalid", serializer.errors


def validate_event_outcome(data) -> tuple[str, object]:
    try:
        return "valid", dict(validate_event(data))
    except serializers.ValidationError as error:
        return "invalid", error.detail


class ValidateEventTest:
    @pytest.mark.parametrize(
        "data",
        [
            EVENT,
            {**EVENT, "r": "https://www.google.com/", "p": {"plan": "pro", "seats": 3}, "i": False},
            {**EVENT, "r": None},
            {**EVENT, "r": ""},
            {**EVENT, "d": "example.com, WWW.Example.org"},
            {**EVENT, "name": "Signup", "unknown": [1]},
            {**EVENT, "n": "Bestellung abgeschlossen ü"},
            {"name": "pageview", "url": "https://example.com/", "domain": "example.com"},
        ],
        ids=[
            "aliases",
            "all-fields",
            "null-referrer",
            "blank-referrer",
            "two-domains",
            "long-name-wins",
            "unicode-name",
            "long-names",
        ],
    )
    def test_validate_event_plain_event_as_serializer(self, data):
        assert plain_event(data) is not None
        assert validate_event_outcome(data) == serializer_outcome(data)

    @pytest.mark.parametrize(
        "data",
        [
            {**EVENT, "n": " pageview "},
            {**EVENT, "r": "  "},
            {**EVENT, "p": '{"plan": "pro"}'},
            {**EVENT, "i": "false"},
            {**EVENT, "n": 5},
            {**EVENT, "n": ""},
            {**EVENT, "n": "x" * 121},
            {**EVENT, "n": "page\0view"},
            {**EVENT, "n": "page\ud800view"},
            {**EVENT, "r": False},
            {**EVENT, "u": "ftp://example.com/"},
            {**EVENT, "p": {"plan": ["pro"]}},
            {**EVENT, "p": None},
            {**EVENT, "i": None},
            {**EVENT, "d": " , "},
            {"n": "pageview", "d": "example.com"},
        ],
        ids=[
            "name-spaces",
            "referrer-spaces",
            "props-string",
            "interactive-string",
            "name-number",
            "name-blank",
            "name-too-long",
            "name-nul",
            "name-surrogate",
            "referrer-false",
            "url-scheme",
            "props-list",
            "props-null",
            "interactive-null",
            "no-domain",
            "no-url",
        ],
    )
    def test_validate_event_other_event_as_serializer(self, data):
        assert plain_event(data) is None
        assert validate_event_outcome(data) == serializer_outcome(data)

    @pytest.mark.parametrize(
        "data", [[EVENT], "pageview", QueryDict("n=pageview&u=https://example.com/&d=example.com")]
    )
    def test_validate_event_not_a_plain_object_as_serializer(self, data):
        assert validate_event_outcome(data) == serializer_outcome(data)


@pytest.mark.django_db
class ServerVisitSerializerTest:
    @pytest.fixture
    def site(self):
        return baker.make(Site, domain="example.com")

    def item(self, site: Site, **fields) -> dict:
        return {
            "site": site.pk,
            "url": "https://example.com/",
            "ip": "8.8.8.8",
            "user_agent": CHROME,
            **fields,
        }

    def test_server_visit_defaults(self, site):
        serializer = ServerVisitSerializer(data=self.item(site), context=server_context(site.owner))

        valid = serializer.is_valid()

        assert valid, serializer.errors
        assert serializer.validated_data["site"] == site
        assert serializer.validated_data["name"] == "pageview"
        assert serializer.validated_data["referrer"] == ""
        assert serializer.validated_data["props"] == {}
        assert serializer.validated_data["interactive"] is True
        assert "timestamp" not in serializer.validated_data

    @pytest.mark.parametrize(
        ("timestamp", "message"),
        [
            (NOW + timedelta(minutes=1, seconds=1), "The timestamp is in the future."),
            (NOW - timedelta(days=30, seconds=1), "The timestamp is more than 30 days old."),
        ],
        ids=["future", "too-old"],
    )
    def test_server_visit_timestamp_out_of_range(self, site, timestamp, message):
        serializer = ServerVisitSerializer(
            data=self.item(site, timestamp=timestamp.isoformat()),
            context=server_context(site.owner),
        )

        valid = serializer.is_valid()

        assert not valid
        assert serializer.errors == {"timestamp": [message]}

    @pytest.mark.parametrize(
        "timestamp",
        [NOW + timedelta(minutes=1), NOW, NOW - timedelta(days=30)],
        ids=["clock-skew", "now", "30-days"],
    )
    def test_server_visit_timestamp_in_range(self, site, timestamp):
        serializer = ServerVisitSerializer(
            data=self.item(site, timestamp=timestamp.isoformat()),
            context=server_context(site.owner),
        )

        valid = serializer.is_valid()

        assert valid, serializer.errors
        assert serializer.validated_data["timestamp"] == timestamp

    def test_server_visit_site_of_admin(self, site):
        admin = baker.make("accounts.User", email="admin@example.com")
        baker.make(Membership, site=site, user=admin, role=Role.ADMIN)
        serializer = ServerVisitSerializer(data=self.item(site), context=server_context(admin))

        valid = serializer.is_valid()

        assert valid, serializer.errors

    def test_server_visit_site_of_viewer(self, site):
        viewer = baker.make("accounts.User", email="viewer@example.com")
        baker.make(Membership, site=site, user=viewer, role=Role.VIEWER)
        serializer = ServerVisitSerializer(data=self.item(site), context=server_context(viewer))

        valid = serializer.is_valid()

        assert not valid
        assert serializer.errors == {"site": ["Unknown site, or one you may not post visits to."]}

    @pytest.mark.parametrize("value", [True, [1], {"id": 1}, 1.5], ids=str)
    def test_server_visit_site_not_an_id(self, site, value):
        item = {**self.item(site), "site": value}
        serializer = ServerVisitSerializer(data=item, context=server_context(site.owner))

        assert not serializer.is_valid()
        assert list(serializer.errors) == ["site"]

    def test_server_visit_site_of_stranger(self, site):
        stranger = baker.make("accounts.User", email="stranger@example.com")
        serializer = ServerVisitSerializer(data=self.item(site), context=server_context(stranger))

        valid = serializer.is_valid()

        assert not valid
        assert serializer.errors == {"site": ["Unknown site, or one you may not post visits to."]}

    @pytest.mark.parametrize(
        ("fields", "errors"),
        [
            ({"ip": "8.8.8"}, {"ip": ["Enter a valid IPv4 or IPv6 address."]}),
            (
                {"user_agent": "x" * 1001},
                {"user_agent": ["Ensure this field has no more than 1000 characters."]},
            ),
            ({"user_agent": 5}, {"user_agent": ["Not a valid string; send a JSON string."]}),
            ({"url": "https://"}, {"url": ["A page URL must have a host."]}),
            ({"name": ""}, {"name": ["This field may not be blank."]}),
            ({"interactive": 0}, {"interactive": ["Must be true or false."]}),
            ({"interactive": "yes"}, {"interactive": ["Must be true or false."]}),
        ],
        ids=[
            "ip",
            "long-user-agent",
            "user-agent-type",
            "url",
            "name",
            "interactive-0",
            "interactive-yes",
        ],
    )
    def test_server_visit_invalid(self, site, fields, errors):
        serializer = ServerVisitSerializer(
            data=self.item(site, **fields), context=server_context(site.owner)
        )

        valid = serializer.is_valid()

        assert not valid
        assert serializer.errors == errors

"""Serializers for recording events and reading visits."""

import json
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from proj.api.serializers import (
    NOT_A_STRING,
    DateTimeField,
    StrictModelSerializer,
    StrictSerializer,
)
from sites.domains import normalize_domain
from sites.models import Site
from visits.enrichment.urls import UTM_PARAMETERS, InvalidUrl, parse_page_url
from visits.models import Visit

MAX_PROPS = 30
MAX_PROP_KEY_BYTES = 300
MAX_PROP_VALUE_BYTES = 2000
MAX_DOMAINS = 10
ALIASES = {
    "n": "name",
    "u": "url",
    "d": "domain",
    "r": "referrer",
    "p": "props",
    "i": "interactive",
}


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers, booleans, lists and objects instead of casting them."""

    default_error_messages = {"invalid": NOT_A_STRING}

    def to_internal_value(self, data) -> str:
        """Accept strings only."""
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "anyOf": [
                {"type": "string", "maxLength": MAX_PROP_VALUE_BYTES},
                {"type": "number"},
                {"type": "boolean"},
            ]
        },
        "maxProperties": MAX_PROPS,
        "description": f"Names non-empty, of at most {MAX_PROP_KEY_BYTES} bytes (OpenAPI 3.0 "
        f"has no propertyNames to state it), values of at most "
        f"{MAX_PROP_VALUE_BYTES} bytes; numbers and booleans are stored as strings.",
    }
)
class PropsField(serializers.Field):
    """Custom properties: an object (or a JSON string of one) of string keys and scalar values.

    Numbers and booleans are stored as strings; at most 30 pairs, keys at most 300 bytes and
    values at most 2000 bytes.
    """

    default_error_messages = {
        "not_object": "Expected an object of string keys and values.",
        "too_many": f"At most {MAX_PROPS} properties.",
        "bad_key": f"Property names are non-empty strings of at most {MAX_PROP_KEY_BYTES} bytes.",
        "bad_value": "Property {name!r}: values are strings, numbers or booleans "
        f"of at most {MAX_PROP_VALUE_BYTES} bytes.",
    }

    def to_internal_value(self, data) -> dict[str, str]:
        """Validate and stringify the properties."""
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                self.fail("not_object")
        if not isinstance(data, Mapping):
            self.fail("not_object")
        if len(data) > MAX_PROPS:
            self.fail("too_many")
        props = {}
        for key, value in data.items():
            if not key or not _fits(key, MAX_PROP_KEY_BYTES):
                self.fail("bad_key")
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, int | float):
                value = str(value)
            if not isinstance(value, str) or not _fits(value, MAX_PROP_VALUE_BYTES):
                self.fail("bad_value", name=key)
            props[key] = value
        return props

    def to_representation(self, value: dict) -> dict:
        """Return the properties as stored."""
        return value


@extend_schema_field(
    {
        "description": "Whether the event counts towards engagement (bounce rate); "
        "default true. Like Plausible, any value that is not a boolean is ignored (true); "
        'the pixel\'s query string reads "true" and "false".',
    }
)
class TrackerBooleanField(serializers.BooleanField):
    """A boolean as trackers send it: never refused, as Plausible's ingestion never refuses it.

    Plausible keeps ``interactive`` only when it is a JSON boolean and ignores any other value.
    This reads what DRF reads as a boolean (the pixel's query strings "true" and "false" among
    them) and takes anything else, null included, as the default.
    """

    def validate_empty_values(self, data) -> tuple[bool, object]:
        """Take null as the default instead of refusing it."""
        if data is None:
            return True, self.get_default()
        return super().validate_empty_values(data)

    def to_internal_value(self, data) -> bool:
        """Return the boolean DRF reads in data, else the default."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            return self.get_default()


def _fits(text: str, max_bytes: int) -> bool:
    """Tell whether text is storable (UTF-8, no NUL) within max_bytes."""
    try:
        encoded = text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return len(encoded) <= max_bytes and b"\0" not in encoded


def validate_page_url(value: str) -> str:
    """Refuse URLs that are not http(s), have no host or exceed 2000 bytes."""
    try:
        parse_page_url(value)
    except InvalidUrl as error:
        raise serializers.ValidationError(str(error)) from error
    return value


@lru_cache(maxsize=4096)  # trackers send the same few domains over and over
def _event_domain(raw: str) -> str:
    """Return a domain as sites store it; one no site can have, escaped, as it is logged."""
    try:
        return normalize_domain(raw)
    except DjangoValidationError:
        return raw.strip().lower().encode("unicode_escape").decode()[:253]


class EventSerializer(serializers.Serializer):
    """An event in the shape of Plausible's Events API, long names or one-letter aliases.

    Unknown keys are ignored, as Plausible's own ingestion ignores them (it reads only the
    fields it knows): a tracker must not lose events to a key this service does not know.
    """

    name = StrictCharField(max_length=120)
    url = StrictCharField(validators=[validate_page_url])
    domain = StrictCharField(
        max_length=2000, help_text="The site's domain; a comma-separated list records it for each."
    )
    referrer = StrictCharField(
        required=False, allow_blank=True, allow_null=True, max_length=2000, default=""
    )
    props = PropsField(required=False, default=dict)
    interactive = TrackerBooleanField(required=False, default=True)

    def to_internal_value(self, data):
        """Accept the one-letter aliases; a long name wins over its alias."""
        if isinstance(data, Mapping):
            data = self.long_names(data)
        return super().to_internal_value(data)

    @staticmethod
    def long_names(data: Mapping) -> dict:
        """Return the fields under their long names; a long name wins over its alias."""
        return {ALIASES.get(key, key): value for key, value in data.items()} | {
            key: value for key, value in data.items() if key in ALIASES.values()
        }

    def validate_domain(self, value: str) -> list[str]:
        """Split and normalise the domains, as sites store them."""
        return self.split_domains(value)

    @staticmethod
    def split_domains(value: str) -> list[str]:
        """Split and normalise comma-separated domains, as sites store them."""
        domains = list(dict.fromkeys(_event_domain(raw) for raw in value.split(",") if raw.strip()))
        if not domains:
            raise serializers.ValidationError("Give the domain of the site.")
        if len(domains) > MAX_DOMAINS:
            raise serializers.ValidationError(f"At most {MAX_DOMAINS} domains.")
        return domains

    def validate_referrer(self, value: str | None) -> str:
        """Treat a null referrer as none."""
        return value or ""


def validate_event(data) -> dict:
    """Return an event's validated data, or raise ValidationError as EventSerializer does.

    A tracker's usual event (a JSON object of plain values) is checked directly; anything
    else, and every invalid event, goes through EventSerializer, which words the errors.
    Building a serializer costs more than the rest of recording an event.
    """
    event = plain_event(data) if type(data) is dict else None
    if event is None:
        serializer = EventSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        event = serializer.validated_data
    return event


def plain_event(data: dict) -> dict | None:
    """Return what EventSerializer would for a valid event of plain values, else None."""
    data = EventSerializer.long_names(data)
    name, url, domain = data.get("name"), data.get("url"), data.get("domain")
    referrer = data.get("referrer", "")
    referrer = "" if referrer is None else referrer
    props, interactive = data.get("props", {}), data.get("interactive", True)
    if not (
        _plain_text(name, 120)
        and _plain_text(url, None)
        and _plain_text(domain, 2000)
        and (referrer == "" or _plain_text(referrer, 2000))
        and type(props) is dict
        and type(interactive) is bool
    ):
        return None
    try:
        validate_page_url(url)
        props = _PROPS.to_internal_value(props)
        domains = EventSerializer.split_domains(domain)
    except serializers.ValidationError:
        return None
    return {
        "name": name,
        "url": url,
        "domain": domains,
        "referrer": referrer,
        "props": props,
        "interactive": interactive,
    }


def _plain_text(value, max_length: int | None) -> bool:
    """Tell whether a value passes StrictCharField unchanged and within max_length.

    That is a non-blank string without surrounding space, NUL characters or lone surrogates.
    """
    if type(value) is not str or not value or value.strip() != value or "\0" in value:
        return False
    if max_length is not None and len(value) > max_length:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


_PROPS = PropsField()


class VisitSerializer(StrictModelSerializer):
    """A recorded event as owners read it."""

    class Meta:
        model = Visit
        fields = [
            "id",
            "site",
            "timestamp",
            "name",
            "session_id",
            "hostname",
            "path",
            "referrer",
            "source",
            *UTM_PARAMETERS,
            "country",
            "region",
            "city",
            "postal_code",
            "latitude",
            "longitude",
            "browser",
            "browser_version",
            "os",
            "os_version",
            "device",
            "props",
            "interactive",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class EditableSiteField(serializers.PrimaryKeyRelatedField):
    """A site the requesting user may post visits to: as owner or admin."""

    default_error_messages = {
        "does_not_exist": "Unknown site, or one you may not post visits to.",
    }

    def get_queryset(self):
        """Return the sites the requesting user may edit."""
        return Site.objects.editable_by(self.context["request"].user)

    def to_internal_value(self, data) -> Site:
        """Look each site up once per request, however many visits of a batch name it."""
        if not isinstance(data, int | str) or isinstance(data, bool):
            return super().to_internal_value(data)  # refused there, with its message
        found = self.context.setdefault("editable_sites", {})
        if data not in found:
            found[data] = super().to_internal_value(data)
        return found[data]


MAX_AGE = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=1)


class ServerVisitSerializer(StrictSerializer):
    """A visit posted by a server on behalf of a visitor, whose IP and user agent it passes."""

    site = EditableSiteField()
    name = StrictCharField(max_length=120, default="pageview")
    url = StrictCharField(validators=[validate_page_url])
    referrer = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")
    props = PropsField(required=False, default=dict)
    interactive = serializers.BooleanField(required=False, default=True)
    ip = serializers.IPAddressField(help_text="The visitor's IP address; never stored.")
    user_agent = StrictCharField(max_length=1000, help_text="The visitor's User-Agent header.")
    timestamp = DateTimeField(
        required=False, help_text="When it happened; default now; at most 30 days ago."
    )

    def validate_timestamp(self, value):
        """Refuse moments in the future or more than 30 days ago."""
        now = self.context["now"]
        if value > now + CLOCK_SKEW:
            raise serializers.ValidationError("The timestamp is in the future.")
        if value < now - MAX_AGE:
            raise serializers.ValidationError("The timestamp is more than 30 days old.")
        return value

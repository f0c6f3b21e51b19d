"""The serializer base classes: strict input keys, storable datetimes, model full_clean()."""

import importlib
import inspect
from datetime import UTC, datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from model_bakery import baker
from rest_framework import serializers

from proj.api.serializers import (
    DateTimeField,
    StrictFieldsMixin,
    StrictSerializer,
    as_serializer_errors,
)
from sites.models import Site
from sites.serializers import SiteSerializer


@pytest.fixture
def owner():
    return baker.make("accounts.User", email="owner@example.com")


@pytest.mark.django_db
class ModelCleanSerializerTest:
    def test_validate_returns_normalised_values(self):
        serializer = SiteSerializer(
            data={
                "domain": "https://WWW.Example.com/",
                "excluded_ips": ["10.1.2.3/8", "10.0.0.0/8"],
            }
        )

        valid = serializer.is_valid()

        assert valid is True
        assert serializer.validated_data == {
            "domain": "example.com",
            "excluded_ips": ["10.0.0.0/8"],
        }

    def test_validate_model_errors_per_field(self):
        serializer = SiteSerializer(data={"domain": "localhost", "excluded_ips": ["nope"]})

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {
            "domain": ["Enter a valid domain name such as example.com."],
            "excluded_ips": ["'nope' is not an IP address or CIDR range such as 203.0.113.0/24."],
        }

    def test_validate_duplicate_after_normalisation(self, owner):
        baker.make(Site, owner=owner, domain="example.com")
        serializer = SiteSerializer(data={"domain": "WWW.Example.COM"})

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {"domain": ["Site with this Domain already exists."]}

    def test_validate_update_leaves_instance_untouched(self, owner):
        site = baker.make(Site, owner=owner, domain="example.com", name="Example")
        serializer = SiteSerializer(
            site, data={"name": "Shop", "domain": "localhost"}, partial=True
        )

        valid = serializer.is_valid()

        assert valid is False
        assert site.name == "Example"
        assert site.domain == "example.com"

    def test_validate_update_checks_submitted_fields_only(self, owner):
        site = baker.make(Site, owner=owner, domain="example.com", timezone="Mars/Olympus")
        serializer = SiteSerializer(site, data={"name": "Shop"}, partial=True)

        valid = serializer.is_valid()

        assert valid is True
        assert serializer.validated_data == {"name": "Shop"}

    def test_validate_update_own_domain_not_duplicate(self, owner):
        site = baker.make(Site, owner=owner, domain="example.com")
        serializer = SiteSerializer(site, data={"domain": "WWW.EXAMPLE.COM"}, partial=True)

        valid = serializer.is_valid()

        assert valid is True
        assert serializer.validated_data == {"domain": "example.com"}

    def test_save_creates(self, owner):
        serializer = SiteSerializer(data={"domain": "example.com"})
        serializer.is_valid(raise_exception=True)

        site = serializer.save(owner=owner)

        assert Site.objects.get(domain="example.com") == site
        assert site.owner == owner

    def test_save_concurrent_duplicate_invalid(self, owner):
        serializer = SiteSerializer(data={"domain": "example.com"})
        serializer.is_valid(raise_exception=True)
        concurrent = baker.make(Site, owner=baker.make("accounts.User"), domain="example.com")

        with pytest.raises(serializers.ValidationError) as excinfo:
            serializer.save(owner=owner)

        assert excinfo.value.detail == [
            "This conflicts with data saved at the same moment; try again."
        ]
        assert list(Site.objects.filter(domain="example.com")) == [concurrent]
        assert not Site.objects.filter(owner=owner).exists()

    def test_save_concurrent_duplicate_on_update_invalid(self, owner):
        site = baker.make(Site, owner=owner, domain="example.com")
        serializer = SiteSerializer(site, data={"domain": "shop.example"}, partial=True)
        serializer.is_valid(raise_exception=True)
        baker.make(Site, owner=baker.make("accounts.User"), domain="shop.example")

        with pytest.raises(serializers.ValidationError) as excinfo:
            serializer.save()

        assert excinfo.value.detail == [
            "This conflicts with data saved at the same moment; try again."
        ]
        site.refresh_from_db()
        assert site.domain == "example.com"


class AsSerializerErrorsTest:
    def test_as_serializer_errors_field_errors(self):
        error = DjangoValidationError({"domain": ["Bad."], "name": ["Too long.", "Rude."]})

        errors = as_serializer_errors(error)

        assert errors == {"domain": ["Bad."], "name": ["Too long.", "Rude."]}

    def test_as_serializer_errors_non_field_errors(self):
        error = DjangoValidationError({NON_FIELD_ERRORS: ["Clash."], "domain": ["Bad."]})

        errors = as_serializer_errors(error)

        assert errors == {"non_field_errors": ["Clash."], "domain": ["Bad."]}

    def test_as_serializer_errors_plain_message(self):
        error = DjangoValidationError("Nope.")

        errors = as_serializer_errors(error)

        assert errors == ["Nope."]

    def test_as_serializer_errors_message_list(self):
        error = DjangoValidationError(["One.", "Two."])

        errors = as_serializer_errors(error)

        assert errors == ["One.", "Two."]

    def test_as_serializer_errors_params_interpolated(self):
        taken = DjangoValidationError("%(value)s is taken.", params={"value": "example.com"})
        error = DjangoValidationError({"domain": [taken]})

        errors = as_serializer_errors(error)

        assert errors == {"domain": ["example.com is taken."]}

    def test_as_serializer_errors_plain_message_params_interpolated(self):
        error = DjangoValidationError("%(value)s is taken.", params={"value": "example.com"})

        errors = as_serializer_errors(error)

        assert errors == ["example.com is taken."]


class NoteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=5)
    body = serializers.CharField(required=False)
    id = serializers.IntegerField(read_only=True)


class StrictFieldsMixinTest:
    def test_to_internal_value_writable_fields(self):
        serializer = NoteSerializer(data={"title": "Hi", "body": "Text"})

        valid = serializer.is_valid()

        assert valid is True
        assert serializer.validated_data == {"title": "Hi", "body": "Text"}

    def test_to_internal_value_unknown_field(self):
        serializer = NoteSerializer(data={"title": "Hi", "bdoy": "Text"})

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {"bdoy": ["Unknown field; use title, body."]}

    def test_to_internal_value_read_only_field(self):
        serializer = NoteSerializer(data={"title": "Hi", "id": 7})

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {"id": ["This field is read-only."]}

    def test_to_internal_value_refused_keys_with_field_errors(self):
        serializer = NoteSerializer(data={"title": "Too long", "id": 7, "colour": "red"})

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {
            "title": ["Ensure this field has no more than 5 characters."],
            "id": ["This field is read-only."],
            "colour": ["Unknown field; use title, body."],
        }

    def test_to_internal_value_not_an_object(self):
        serializer = NoteSerializer(data=["title"])

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {
            "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
        }

    def test_to_internal_value_partial_update_unknown_field(self):
        serializer = NoteSerializer(data={"titel": "Hi"}, partial=True)

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {"titel": ["Unknown field; use title, body."]}

    @pytest.mark.parametrize(
        "module_name", ["accounts.serializers", "sites.serializers", "visits.serializers"]
    )
    def test_every_api_serializer_strict(self, module_name):
        module = importlib.import_module(module_name)
        serializer_classes = [
            value
            for value in vars(module).values()
            if inspect.isclass(value)
            and issubclass(value, serializers.BaseSerializer)
            and value.__module__ == module_name
        ]

        lenient = [
            cls.__name__ for cls in serializer_classes if not issubclass(cls, StrictFieldsMixin)
        ]

        assert serializer_classes
        # The collect endpoint ignores unknown keys, as Plausible does.
        assert lenient == (["EventSerializer"] if module_name == "visits.serializers" else [])


class FlagSerializer(StrictSerializer):
    label = serializers.CharField(required=False, allow_null=True)
    email = serializers.EmailField(required=False)
    on = serializers.BooleanField(required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    count = serializers.IntegerField(required=False)


class StrictValueTypesTest:
    @pytest.mark.parametrize("value", [0, 1.5, True])
    def test_to_internal_value_number_for_string(self, value):
        serializer = FlagSerializer(data={"label": value, "email": 7})

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {
            "label": ["Not a valid string; send a JSON string."],
            "email": ["Not a valid string; send a JSON string."],
        }

    @pytest.mark.parametrize("value", [0, 1, "yes", "on", "true", "false", "1"])
    def test_to_internal_value_not_a_boolean(self, value):
        serializer = FlagSerializer(data={"on": value})

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {"on": ["Must be true or false."]}

    def test_to_internal_value_list_items_mistyped(self):
        serializer = FlagSerializer(data={"tags": ["a", 2, "c", False]})

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {
            "tags": {
                1: ["Not a valid string; send a JSON string."],
                3: ["Not a valid string; send a JSON string."],
            }
        }

    def test_to_internal_value_mistyped_with_field_errors(self):
        serializer = FlagSerializer(data={"on": "yes", "count": "many"})

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {
            "count": ["A valid integer is required."],
            "on": ["Must be true or false."],
        }

    def test_to_internal_value_json_types_accepted(self):
        data = {"label": None, "email": "a@example.com", "on": False, "tags": ["a"], "count": 3}
        serializer = FlagSerializer(data=data)

        valid = serializer.is_valid()

        assert valid is True
        assert serializer.validated_data == data

    def test_to_internal_value_list_field_not_a_list(self):
        serializer = FlagSerializer(data={"tags": "a"})

        valid = serializer.is_valid()

        assert valid is False
        assert serializer.errors == {"tags": ['Expected a list of items but got type "str".']}


class DateTimeFieldTest:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            pytest.param(
                "2026-11-01T15:59:00+15:59", datetime(2026, 11, 1, tzinfo=UTC), id="largest"
            ),
            pytest.param(
                "2026-11-01T00:00:00-15:59",
                datetime(2026, 11, 1, 15, 59, tzinfo=UTC),
                id="smallest",
            ),
            pytest.param("2026-11-01T00:00:00", datetime(2026, 11, 1, tzinfo=UTC), id="naive"),
        ],
    )
    def test_to_internal_value_storable_offset(self, value, expected):
        moment = DateTimeField().to_internal_value(value)

        assert moment == expected
        assert moment.utcoffset().total_seconds() == 0

    @pytest.mark.parametrize("value", ["2026-11-01T00:00:00+16:00", "2026-11-01T00:00:00-20:00"])
    def test_to_internal_value_offset_postgresql_refuses(self, value):
        with pytest.raises(serializers.ValidationError) as excinfo:
            DateTimeField().to_internal_value(value)

        assert excinfo.value.detail == ["UTC offsets lie between -15:59 and +15:59."]

"""Serializer base classes shared by the apps."""

import copy
from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework.settings import api_settings

from proj.datetimes import UTC_OFFSET_MESSAGE, has_storable_offset

NOT_A_STRING = "Not a valid string; send a JSON string."
NOT_A_BOOLEAN = "Must be true or false."


def mistyped(field: serializers.Field, value) -> list[str] | dict[int, list[str]] | None:
    """Return the errors of a JSON value of the wrong type for the field, else None.

    DRF casts numbers to strings and takes "yes", "on" or 0 as booleans; the API does not.
    Null is left to the field, which words its own refusal.
    """
    if value is None:
        return None
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return [NOT_A_BOOLEAN]
    if isinstance(field, serializers.CharField) and not isinstance(value, str):
        return [NOT_A_STRING]
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        items = {index: mistyped(field.child, item) for index, item in enumerate(value)}
        return {index: errors for index, errors in items.items() if errors} or None
    return None


class StrictFieldsMixin:
    """Refuse input keys that are not writable fields, and values of the wrong JSON type.

    A misspelt or read-only field would otherwise answer 200 and change nothing, and
    ``{"name": 0}`` would store "0".
    """

    closed = True  # the schema says so: additionalProperties is false (proj.api.schema)

    def to_internal_value(self, data):
        """Validate the fields; add an error for each unknown, read-only or mistyped key."""
        refused = self.refused_keys(data) if isinstance(data, Mapping) else {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if refused:  # report them with the other fields' errors, all at once
                raise serializers.ValidationError({**error.detail, **refused}) from error
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value

    def refused_keys(self, data: Mapping) -> dict:
        """Return the errors of each key of data that is not a writable field or is mistyped."""
        writable = [name for name, field in self.fields.items() if not field.read_only]
        refused = {}
        for key in data:
            field = self.fields.get(key)
            if field is None:
                refused[key] = [f"Unknown field; use {', '.join(writable)}."]
            elif field.read_only:
                refused[key] = ["This field is read-only."]
            elif (errors := mistyped(field, data[key])) is not None:
                refused[key] = errors
        return refused


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    """A serializer that refuses unknown and read-only input keys."""


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A model serializer that refuses unknown and read-only input keys."""


class DateTimeField(serializers.DateTimeField):
    """A datetime whose UTC offset PostgreSQL can store."""

    default_error_messages = {"utc_offset": UTC_OFFSET_MESSAGE}

    def enforce_timezone(self, value):
        """Refuse offsets of 16 hours or more, then convert to the current zone as DRF does."""
        if not has_storable_offset(value):
            self.fail("utc_offset")
        return super().enforce_timezone(value)


class ModelCleanSerializer(StrictModelSerializer):
    """A model serializer that validates with the model's own ``full_clean()``.

    Validation lives on the model (``clean()``, constraints); this runs it on the submitted
    fields and keeps the values ``clean()`` normalised.
    """

    def validate(self, attrs: dict) -> dict:
        """Run ``full_clean()`` on the instance as it would be saved."""
        instance = copy.copy(self.instance) if self.instance else self.Meta.model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        unchecked = [f.name for f in instance._meta.fields if f.name not in attrs]
        try:
            instance.full_clean(exclude=unchecked)
        except DjangoValidationError as error:
            raise serializers.ValidationError(as_serializer_errors(error)) from error
        return {name: getattr(instance, name) for name in attrs}

    def save(self, **kwargs):
        """Save; a row written concurrently with the same unique value answers 400, not 500."""
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError as error:
            raise serializers.ValidationError(
                "This conflicts with data saved at the same moment; try again."
            ) from error


def as_serializer_errors(error: DjangoValidationError) -> dict | list:
    """Convert Django's ValidationError to DRF's per-field form."""
    if not hasattr(error, "error_dict"):
        return error.messages
    errors = error.message_dict
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors

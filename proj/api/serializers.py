"""Serializer base classes shared by the apps."""

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework.settings import api_settings


class ModelCleanSerializer(serializers.ModelSerializer):
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

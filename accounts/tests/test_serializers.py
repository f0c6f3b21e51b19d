"""Serializers of the account endpoints, where the views cannot reach."""

import pytest
from model_bakery import baker
from rest_framework.exceptions import ValidationError

from accounts.serializers import RegisterSerializer

pytestmark = pytest.mark.django_db


class RegisterSerializerTest:
    def test_save_email_registered_concurrently(self):
        serializer = RegisterSerializer(
            data={"email": "ada@example.com", "password": "plum-orchard-42-velvet"}
        )
        serializer.is_valid(raise_exception=True)
        baker.make("accounts.User", email="ADA@example.com")

        with pytest.raises(ValidationError) as excinfo:
            serializer.save()

        assert excinfo.value.detail == {"email": ["A user with this email already exists."]}

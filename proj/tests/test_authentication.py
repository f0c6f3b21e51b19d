"""API key authentication through the Authorization header."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone
from model_bakery import baker

from accounts.models import ApiKey

pytestmark = pytest.mark.django_db


class ApiKeyAuthenticationTest:
    def test_authenticate_valid_key(self, api_client):
        user = baker.make("accounts.User", email="ada@example.com")
        _, secret = ApiKey.objects.create_key(user=user, name="CI")

        response = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")

        assert response.status_code == HTTPStatus.OK
        assert response.json()["email"] == "ada@example.com"

    def test_authenticate_records_last_use(self, api_client):
        key, secret = ApiKey.objects.create_key(user=baker.make("accounts.User"), name="CI")

        api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")

        key.refresh_from_db()
        assert timezone.now() - key.last_used_at < timedelta(seconds=10)

    def test_authenticate_lowercase_keyword(self, api_client):
        _, secret = ApiKey.objects.create_key(user=baker.make("accounts.User"), name="CI")

        response = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION=f"bearer {secret}")

        assert response.status_code == HTTPStatus.OK

    def test_authenticate_unknown_key(self, api_client):
        response = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION="Bearer tly_nope")

        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.json()["code"] == "authentication_failed"
        assert response.json()["error"] == "Invalid or revoked API key."

    def test_authenticate_revoked_key(self, api_client):
        key, secret = ApiKey.objects.create_key(user=baker.make("accounts.User"), name="CI")
        key.delete()

        response = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")

        assert response.status_code == HTTPStatus.UNAUTHORIZED

    @pytest.mark.parametrize("header", ["Bearer", "Bearer two parts"])
    def test_authenticate_malformed_header(self, api_client, header):
        response = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION=header)

        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert "Malformed Authorization header" in response.json()["error"]

    def test_authenticate_other_scheme_ignored(self, api_client):
        response = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION="Basic dXNlcjpwdw==")

        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_schema_describes_bearer_scheme(self, api_client):
        response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

        schemes = response.json()["components"]["securitySchemes"]
        assert schemes["apiKey"]["scheme"] == "bearer"

"""API key authentication through the Authorization header."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone
from model_bakery import baker
from rest_framework.test import APIClient

from accounts.models import ApiKey
from proj.tests.errors import assert_error

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

    @pytest.mark.parametrize("header", ["Token tly_abc", "Basic dXNlcjpwdw==", "Token"])
    def test_authenticate_other_scheme(self, api_client, header):
        response = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION=header)

        body = assert_error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")
        assert body["error"] == (
            "Unsupported authorization scheme; use 'Authorization: Bearer <api key>'."
        )
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_authenticate_other_scheme_with_session(self, api_client):
        api_client.force_login(baker.make("accounts.User"))

        response = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION="Token tly_abc")

        assert_error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")

    def test_schema_describes_bearer_scheme(self, api_client):
        response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

        schemes = response.json()["components"]["securitySchemes"]
        assert schemes["apiKey"]["scheme"] == "bearer"


class SessionAuthenticationTest:
    def test_enforce_csrf_failure_code(self):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(baker.make("accounts.User", name="Ada"))

        response = client.patch("/api/accounts/me/", {"name": "Eve"}, format="json")

        body = assert_error(response, HTTPStatus.FORBIDDEN, "csrf_failed")
        assert body["error"] == (
            "CSRF verification failed. Get a token from /api/accounts/csrf/ "
            "and send it in the X-CSRFToken header."
        )

    def test_enforce_csrf_with_token(self):
        client = APIClient(enforce_csrf_checks=True)
        user = baker.make("accounts.User", name="Ada")
        client.force_login(user)
        token = client.get("/api/accounts/csrf/").json()["csrf_token"]

        response = client.patch(
            "/api/accounts/me/", {"name": "Eve"}, format="json", HTTP_X_CSRFTOKEN=token
        )

        assert response.status_code == HTTPStatus.OK
        user.refresh_from_db()
        assert user.name == "Eve"

    def test_schema_describes_cookie_scheme(self, api_client):
        response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

        schemes = response.json()["components"]["securitySchemes"]
        assert schemes["cookieAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}

"""An unsupported method answers 405 before the view authenticates or looks anything up."""

from http import HTTPStatus

import pytest
from django.urls import resolve
from model_bakery import baker

from proj.api.methods import allowed_methods
from proj.tests.errors import assert_error


@pytest.mark.django_db
class MethodNotAllowedMiddlewareTest:
    def test_unsupported_method_on_unseen_site_members(self, api_client):
        site = baker.make("sites.Site", domain="example.com")
        api_client.force_authenticate(baker.make("accounts.User", email="eve@example.com"))

        response = api_client.generic("TRACE", f"/api/sites/{site.pk}/members/")

        body = assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")
        assert body["error"] == 'Method "TRACE" not allowed.'
        assert response["Allow"] == "GET, POST, HEAD, OPTIONS"

    def test_unsupported_method_on_missing_site(self, api_client):
        api_client.force_authenticate(baker.make("accounts.User", email="eve@example.com"))

        response = api_client.put("/api/sites/999999/", {"name": "x"}, format="json")

        body = assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")
        assert body["error"] == 'Method "PUT" not allowed.'
        assert response["Allow"] == "GET, PATCH, DELETE, HEAD, OPTIONS"

    def test_unsupported_method_without_credentials(self, api_client):
        response = api_client.delete("/api/sites/")

        assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")
        assert response["Allow"] == "GET, POST, HEAD, OPTIONS"

    def test_unsupported_method_through_view_finalize(self, api_client):
        response = api_client.get("/api/event")

        assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")
        assert response["Allow"] == "POST, OPTIONS"
        assert response["Access-Control-Allow-Origin"] == "*"

    def test_supported_method_reaches_view(self, api_client):
        response = api_client.get("/api/sites/")

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")

    def test_view_outside_drf_answers_itself(self, api_client):
        response = api_client.get("/admin/login/")

        assert response.status_code == HTTPStatus.OK


class AllowedMethodsTest:
    @pytest.mark.parametrize(
        ("path", "methods"),
        [
            ("/api/health/", ["GET", "HEAD", "OPTIONS"]),
            ("/api/accounts/login/", ["POST", "OPTIONS"]),
            ("/api/sites/1/members/2/", ["PATCH", "DELETE", "OPTIONS"]),
            ("/api/accounts/keys/1/", ["DELETE", "OPTIONS"]),
            ("/api/event", ["POST", "OPTIONS"]),
        ],
    )
    def test_allowed_methods_drf_view(self, path, methods):
        assert allowed_methods(resolve(path).func) == methods

    def test_allowed_methods_django_view(self):
        assert allowed_methods(resolve("/admin/").func) is None

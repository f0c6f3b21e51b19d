"""Cross-origin access: credentials for listed SPA origins, every origin for the collector."""

from http import HTTPStatus

import pytest


@pytest.fixture
def spa_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    return "https://app.example.com"


class CorsTest:
    def test_api_allowed_origin_with_credentials(self, api_client, spa_origin):
        response = api_client.get("/api/", HTTP_ORIGIN=spa_origin)

        assert response["Access-Control-Allow-Origin"] == spa_origin
        assert response["Access-Control-Allow-Credentials"] == "true"

    def test_api_preflight_allowed_origin(self, api_client, spa_origin):
        response = api_client.options(
            "/api/accounts/login/",
            HTTP_ORIGIN=spa_origin,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,x-csrftoken",
        )

        assert response.status_code == HTTPStatus.OK
        assert response["Access-Control-Allow-Origin"] == spa_origin
        assert "x-csrftoken" in response["Access-Control-Allow-Headers"]

    def test_api_other_origin_refused(self, api_client, spa_origin):
        response = api_client.get("/api/", HTTP_ORIGIN="https://evil.example")

        assert "Access-Control-Allow-Origin" not in response

    def test_collect_any_origin_without_credentials(self, api_client, spa_origin):
        response = api_client.options("/api/event", HTTP_ORIGIN="https://blog.example.org")

        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response

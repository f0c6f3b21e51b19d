"""The API index, the health check and the OpenAPI schema."""

from http import HTTPStatus

import pytest
from django.db import connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


class IndexViewTest:
    def test_get_root_lists_links(self, api_client):
        response = api_client.get("/")

        assert response.status_code == HTTPStatus.OK
        assert response.json()["links"] == {
            "register": "http://testserver/api/accounts/register/",
            "login": "http://testserver/api/accounts/login/",
            "sites": "http://testserver/api/sites/",
            "health": "http://testserver/api/health/",
            "schema": "http://testserver/api/schema/",
            "docs": "http://testserver/api/docs/",
        }


class HealthViewTest:
    @pytest.mark.django_db
    def test_get_database_answers(self, api_client):
        response = api_client.get("/api/health/")

        assert response.status_code == HTTPStatus.OK
        assert response.json() == {"status": "ok", "database": "ok"}

    def test_get_database_unreachable(self, api_client, django_db_blocker):
        connection = connections["default"]
        saved = dict(connection.settings_dict)
        with django_db_blocker.unblock():
            connection.close()
            connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
            try:
                response = api_client.get("/api/health/")
            finally:
                connection.close()
                connection.settings_dict.update(saved)

        assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert response.json() == {"status": "error", "database": "error"}


class PingViewTest:
    def test_get_without_database(self, api_client):
        response = api_client.get("/api/ping/")

        assert response.status_code == HTTPStatus.OK
        assert response.json() == {"status": "ok"}


class SchemaTest:
    def test_schema_valid_without_warnings(self, capsys):
        from drf_spectacular.drainage import GENERATOR_STATS

        GENERATOR_STATS.reset()
        schema = SchemaGenerator().get_schema(request=None, public=True)

        validate_schema(schema)
        assert not GENERATOR_STATS, capsys.readouterr().err

    def test_get_schema(self, api_client):
        response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

        assert response.status_code == HTTPStatus.OK
        assert response.json()["openapi"].startswith("3.")

    def test_get_docs(self, api_client):
        response = api_client.get("/api/docs/")

        assert response.status_code == HTTPStatus.OK
        assert b"swagger" in response.content.lower()


class HttpsRedirectTest:
    @pytest.mark.django_db  # the health check reads the database
    @pytest.mark.parametrize("path", ["/api/ping/", "/api/health/"])
    def test_probe_over_plain_http_not_redirected(self, api_client, settings, path):
        settings.SECURE_SSL_REDIRECT = True

        response = api_client.get(path)

        assert response.status_code == HTTPStatus.OK

    def test_api_over_plain_http_redirected(self, api_client, settings):
        settings.SECURE_SSL_REDIRECT = True

        response = api_client.get("/api/")

        assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
        assert response["Location"] == "https://testserver/api/"

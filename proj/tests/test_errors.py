"""Every kind of error answers application/json in one shape."""

import json
from http import HTTPStatus

import pytest

from proj.tests.errors import assert_error

pytestmark = [pytest.mark.urls("proj.tests.urls")]


class ExceptionHandlerTest:
    def test_validation_error_field_details(self, api_client):
        response = api_client.post("/test/echo/", {"name": "far too long"}, format="json")

        body = assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert body["details"] == {"name": ["Ensure this field has no more than 5 characters."]}

    def test_validation_error_non_field_details(self, api_client):
        response = api_client.post("/test/echo/", {"name": "nope"}, format="json")

        body = assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert body["details"] == {"non_field_errors": ["This name is refused."]}

    def test_malformed_json(self, api_client):
        response = api_client.post("/test/echo/", "{not json", content_type="application/json")

        body = assert_error(response, HTTPStatus.BAD_REQUEST, "parse_error")
        assert "details" not in body

    def test_unsupported_media_type(self, api_client):
        response = api_client.post("/test/echo/", "name=x", content_type="text/csv")

        assert_error(response, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")

    def test_not_acceptable(self, api_client):
        response = api_client.get("/api/health/", HTTP_ACCEPT="text/csv")

        assert_error(response, HTTPStatus.NOT_ACCEPTABLE, "not_acceptable")

    def test_method_not_allowed(self, api_client):
        response = api_client.delete("/api/health/")

        assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")

    @pytest.mark.django_db
    def test_not_authenticated(self, api_client):
        response = api_client.get("/test/private/")

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_http404_raised_in_view(self, api_client):
        response = api_client.get("/test/missing/")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")

    def test_django_permission_denied_raised_in_view(self, api_client):
        response = api_client.get("/test/forbidden/")

        assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")

    def test_throttled_with_retry_after(self, api_client):
        response = api_client.get("/test/throttled/")

        assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "throttled")
        assert response["Retry-After"] == "42"

    def test_unhandled_exception_hides_internals(self, api_client):
        response = api_client.get("/test/crash/")

        body = assert_error(response, HTTPStatus.INTERNAL_SERVER_ERROR, "server_error")
        assert "secret internals" not in response.content.decode()
        assert "Traceback" not in body["error"]

    def test_unhandled_exception_logged_at_error_with_traceback(self, api_client, caplog):
        api_client.get("/test/crash/")

        failed = [r for r in caplog.records if r.msg.get("event") == "request_failed"]
        assert len(failed) == 1
        assert failed[0].levelname == "ERROR"
        assert failed[0].exc_info[0] is RuntimeError


class ErrorFormatTest:
    @pytest.mark.parametrize(
        "url", ["/api/schema/", "/api/schema/?format=yaml", "/api/schema/?format=json"]
    )
    def test_error_json_whatever_format_schema(self, api_client, url):
        response = api_client.post(url)

        assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")

    def test_error_json_for_html_page(self, api_client):
        response = api_client.post("/api/docs/")

        assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")


class DjangoErrorViewsTest:
    def test_unknown_url(self, api_client):
        response = api_client.get("/no/such/page/")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")

    def test_disallowed_host_named(self, api_client):
        response = api_client.get("/api/health/", HTTP_HOST="tally.example.com")

        body = assert_error(response, HTTPStatus.BAD_REQUEST, "disallowed_host")
        assert body["error"] == (
            "The host 'tally.example.com' is not in ALLOWED_HOSTS; add it to that environment "
            "variable if this server should answer to it."
        )

    def test_disallowed_host_logged(self, api_client, caplog):
        api_client.get("/api/health/", HTTP_HOST="tally.example.com:8000")

        (record,) = [r for r in caplog.records if r.msg.get("event") == "host_not_allowed"]
        assert record.levelname == "WARNING"
        assert record.msg["host"] == "tally.example.com:8000"

    def test_disallowed_host_long_cut(self, api_client):
        host = "a" * 300 + ".example"

        response = api_client.get("/api/health/", HTTP_HOST=host)

        body = assert_error(response, HTTPStatus.BAD_REQUEST, "disallowed_host")
        assert f"'{'a' * 255}'" in body["error"]
        assert "a" * 256 not in body["error"]

    def test_bad_request_other(self, rf):
        from proj.api.errors import bad_request

        request = rf.get("/", HTTP_X_REQUEST_ID="abcdefgh-1234")

        response = bad_request(request, ValueError("nope"))

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert json.loads(response.content) == {
            "error": "Bad request.",
            "code": "bad_request",
            "request_id": "abcdefgh-1234",
        }

    @pytest.mark.django_db
    def test_csrf_failure(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)

        response = client.post("/admin/login/", {"username": "x", "password": "y"})

        assert_error(response, HTTPStatus.FORBIDDEN, "csrf_failed")

    def test_permission_denied_view(self, rf):
        from proj.api.errors import permission_denied

        request = rf.get("/", HTTP_X_REQUEST_ID="abcdefgh-1234")

        response = permission_denied(request, PermissionError())

        assert response.status_code == HTTPStatus.FORBIDDEN
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content) == {
            "error": "You do not have permission to perform this action.",
            "code": "permission_denied",
            "request_id": "abcdefgh-1234",
        }

"""Request ids and the request log lines."""

from http import HTTPStatus

import pytest
from model_bakery import baker


def request_events(caplog, event):
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg["event"] == event]


class RequestIdMiddlewareTest:
    def test_request_id_generated_without_header(self, api_client):
        response = api_client.get("/api/")

        assert len(response["X-Request-ID"]) == 36

    def test_request_id_taken_from_well_formed_header(self, api_client):
        response = api_client.get("/api/", HTTP_X_REQUEST_ID="lb-7f3a2c91.req")

        assert response["X-Request-ID"] == "lb-7f3a2c91.req"

    @pytest.mark.parametrize(
        "incoming",
        ["short", "has spaces in it", "x" * 101, "ok-id-123\n", "<script>alert</script>"],
    )
    def test_request_id_replaced_when_malformed(self, api_client, incoming):
        response = api_client.get("/api/", HTTP_X_REQUEST_ID=incoming)

        assert response["X-Request-ID"] != incoming
        assert len(response["X-Request-ID"]) == 36

    def test_request_id_in_error_body(self, api_client):
        response = api_client.get("/nowhere/", HTTP_X_REQUEST_ID="trace-0001-abcd")

        assert response.json()["request_id"] == "trace-0001-abcd"


class RequestLogTest:
    def test_request_finished_carries_request_fields(self, api_client, caplog):
        api_client.get("/api/", HTTP_X_REQUEST_ID="trace-0002-abcd")

        (finished,) = request_events(caplog, "request_finished")
        assert finished["request_id"] == "trace-0002-abcd"
        assert finished["method"] == "GET"
        assert finished["path"] == "/api/"
        assert finished["status_code"] == HTTPStatus.OK
        assert finished["user_id"] is None

    @pytest.mark.django_db
    def test_request_finished_carries_user_id(self, api_client, caplog):
        user = baker.make("accounts.User")
        api_client.force_login(user)

        api_client.get("/api/")

        (finished,) = request_events(caplog, "request_finished")
        assert finished["user_id"] == user.pk

    def test_request_logs_hold_no_ip_or_user_agent(self, api_client, caplog):
        api_client.get(
            "/api/?q=secret-query",
            REMOTE_ADDR="203.0.113.77",
            HTTP_X_FORWARDED_FOR="198.51.100.23",
            HTTP_USER_AGENT="Mozilla/5.0 UniqueAgent/9.9",
        )

        logged = " ".join(str(r.msg) + r.getMessage() for r in caplog.records)
        assert request_events(caplog, "request_started")
        assert "203.0.113.77" not in logged
        assert "198.51.100.23" not in logged
        assert "UniqueAgent" not in logged
        assert "secret-query" not in logged

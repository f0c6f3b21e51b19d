"""An unreachable database answers 503 database_unavailable, logged once per outage."""

import json
import logging
from http import HTTPStatus

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from model_bakery import baker

from accounts.models import User
from proj.api.errors import server_error
from proj.api.outage import OutageLog, database_outage, is_connection_failure
from proj.tests.errors import assert_error
from proj.tests.outage import connection_terminated, database_unreachable, table_locked
from sites.models import Site

pytestmark = [pytest.mark.urls("proj.tests.urls")]

UNAVAILABLE = "The database is unavailable; try again shortly."
QUERY = {"site_id": "example.com", "metrics": ["visitors"], "date_range": "7d"}


def logged(caplog) -> list[tuple[str, str]]:
    """Return the (event, level) of each structured log record."""
    return [(r.msg["event"], r.msg["level"]) for r in caplog.records if isinstance(r.msg, dict)]


def outage_logs(caplog) -> list[tuple[str, str]]:
    """Return the (event, level) of the outage's own log records."""
    names = {database_outage.down_event, database_outage.up_event}
    return [(event, level) for event, level in logged(caplog) if event in names]


@pytest.fixture
def signed_in(api_client):
    """Return a client signed in with a session, as the browser app is."""
    api_client.force_login(baker.make(User, is_staff=True, is_superuser=True))
    return api_client


class IsConnectionFailureTest:
    def test_is_connection_failure_refused(self, django_db_blocker):
        with (
            django_db_blocker.unblock(),
            database_unreachable(),
            pytest.raises(OperationalError) as raised,
        ):
            connection.ensure_connection()

        assert is_connection_failure(raised.value)

    @pytest.mark.django_db(transaction=True)
    def test_is_connection_failure_session_terminated(self):
        with (
            connection_terminated(),
            pytest.raises(OperationalError) as raised,
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT 1")

        assert is_connection_failure(raised.value)

    @pytest.mark.django_db(transaction=True)
    def test_is_connection_failure_closed_connection_reused(self):
        with connection_terminated():
            with pytest.raises(OperationalError), connection.cursor() as cursor:
                cursor.execute("SELECT 1")

            with pytest.raises(InterfaceError) as raised, connection.cursor() as cursor:
                cursor.execute("SELECT 1")

        assert is_connection_failure(raised.value)

    @pytest.mark.django_db
    def test_is_connection_failure_statement_timeout(self):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = '1ms'")  # until the test rolls back

            with pytest.raises(OperationalError) as raised, transaction.atomic():
                cursor.execute("SELECT pg_sleep(1)")

        assert not is_connection_failure(raised.value)

    @pytest.mark.django_db(transaction=True)
    def test_is_connection_failure_lock_timeout(self):
        with table_locked("sites_site"), pytest.raises(OperationalError) as raised:
            Site.objects.count()

        assert not is_connection_failure(raised.value)

    @pytest.mark.django_db
    def test_is_connection_failure_integrity_error(self):
        user = baker.make(User)

        with pytest.raises(IntegrityError) as raised, transaction.atomic():
            baker.make(User, email=user.email)

        assert not is_connection_failure(raised.value)

    def test_is_connection_failure_not_a_database_error(self):
        assert not is_connection_failure(ValueError("connection refused"))


class OutageLogTest:
    def test_failed_logged_once_per_outage(self, caplog):
        outage = OutageLog(down="thing_down", up="thing_up")

        outage.failed(reason="refused")
        outage.failed(reason="refused")

        assert logged(caplog) == [("thing_down", "warning")]
        assert caplog.records[0].msg["reason"] == "refused"

    def test_succeeded_logged_once_after_failure(self, caplog):
        outage = OutageLog(down="thing_down", up="thing_up")
        outage.failed()

        outage.succeeded()
        outage.succeeded()

        assert logged(caplog) == [("thing_down", "warning"), ("thing_up", "info")]

    def test_succeeded_without_failure_not_logged(self, caplog):
        OutageLog(down="thing_down", up="thing_up").succeeded()

        assert logged(caplog) == []


@pytest.mark.django_db(transaction=True)
class DatabaseUnavailableTest:
    def test_drf_view_database_unreachable(self, signed_in):
        with database_unreachable():
            response = signed_in.get("/api/sites/")

        body = assert_error(response, HTTPStatus.SERVICE_UNAVAILABLE, "database_unavailable")
        assert body["error"] == UNAVAILABLE
        assert response["Retry-After"] == "5"

    def test_drf_view_without_session_database_unreachable(self, api_client):
        with database_unreachable():
            response = api_client.post("/api/v2/query", QUERY, format="json")

        body = assert_error(response, HTTPStatus.SERVICE_UNAVAILABLE, "database_unavailable")
        assert body["error"] == UNAVAILABLE
        assert response["Retry-After"] == "5"

    def test_admin_database_unreachable(self, signed_in):
        with database_unreachable():
            response = signed_in.get("/admin/")

        body = assert_error(response, HTTPStatus.SERVICE_UNAVAILABLE, "database_unavailable")
        assert body["error"] == UNAVAILABLE
        assert response["Retry-After"] == "5"

    def test_session_saved_after_view_database_unreachable(self, api_client, caplog):
        with database_unreachable():
            response = api_client.get("/test/remember/")

        assert_error(response, HTTPStatus.SERVICE_UNAVAILABLE, "database_unavailable")
        assert response["Retry-After"] == "5"
        assert outage_logs(caplog) == [("database_unavailable", "warning")]
        assert [r.msg for r in caplog.records if r.levelno >= logging.ERROR] == []

    def test_server_error_connection_failure_reaching_handler(self, rf, django_db_blocker):
        with django_db_blocker.unblock(), database_unreachable():
            try:
                connection.ensure_connection()
            except OperationalError:
                response = server_error(rf.get("/", HTTP_X_REQUEST_ID="abcdefgh-1234"))

        assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert json.loads(response.content) == {
            "error": UNAVAILABLE,
            "code": "database_unavailable",
            "request_id": "abcdefgh-1234",
        }
        assert response["Retry-After"] == "5"

    def test_view_without_database_answers_with_session_unreachable(self, signed_in):
        with database_unreachable():
            response = signed_in.get("/js/script.js")  # a plain view; the log reads the user

        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "application/javascript"

    def test_health_database_unreachable_keeps_its_answer(self, api_client):
        with database_unreachable():
            response = api_client.get("/api/health/")

        assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert response.json() == {"status": "error", "database": "error"}

    def test_outage_logged_once_without_errors(self, signed_in, caplog):
        with database_unreachable():
            signed_in.get("/api/sites/")
            signed_in.get("/admin/")
            signed_in.get("/api/health/")
            signed_in.post("/api/v2/query", QUERY, format="json")

        assert outage_logs(caplog) == [("database_unavailable", "warning")]
        assert [r.msg for r in caplog.records if r.levelno >= logging.ERROR] == []

    def test_outage_recovered_without_restart(self, signed_in, caplog):
        with database_unreachable():
            signed_in.get("/api/sites/")

        response = signed_in.get("/api/sites/")

        assert response.status_code == HTTPStatus.OK
        assert outage_logs(caplog) == [
            ("database_unavailable", "warning"),
            ("database_available", "info"),
        ]

    def test_broken_connection_dropped(self, signed_in):
        signed_in.get("/api/sites/")

        with connection_terminated():
            dropped = signed_in.get("/api/sites/")
            response = signed_in.get("/api/sites/")

        assert_error(dropped, HTTPStatus.SERVICE_UNAVAILABLE, "database_unavailable")
        assert response.status_code == HTTPStatus.OK

    def test_query_error_not_an_outage(self, signed_in, caplog):
        with table_locked("sites_site"):
            response = signed_in.get("/api/sites/")

        assert_error(response, HTTPStatus.INTERNAL_SERVER_ERROR, "server_error")
        assert outage_logs(caplog) == []

    def test_query_error_outside_drf_not_an_outage(self, signed_in):
        with table_locked("accounts_user"):
            response = signed_in.get("/admin/")

        assert_error(response, HTTPStatus.INTERNAL_SERVER_ERROR, "server_error")

    def test_user_lookup_query_error_not_an_outage(self, signed_in):
        with table_locked("django_session"):
            response = signed_in.get("/js/script.js")

        assert_error(response, HTTPStatus.INTERNAL_SERVER_ERROR, "server_error")

    def test_session_saved_after_view_query_error_not_an_outage(self, api_client):
        with table_locked("django_session"):
            response = api_client.get("/test/remember/")

        assert_error(response, HTTPStatus.INTERNAL_SERVER_ERROR, "server_error")

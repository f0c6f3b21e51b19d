"""The stats endpoints: POST /api/v2/query and GET /api/v1/stats/realtime/visitors."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.db import connection
from model_bakery import baker

from accounts.models import ApiKey
from proj.tests.errors import assert_invalid
from sites.models import Role, Site
from visits.models import Visit
from visits.stats import engine
from visits.tests.events import pageview

pytestmark = pytest.mark.django_db

QUERY_URL = "/api/v2/query"
REALTIME_URL = "/api/v1/stats/realtime/visitors"
# Wednesday 20 May 2026, 12:00 in Berlin.
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
DAY_QUERY = {"site_id": "example.com", "metrics": ["visitors", "pageviews"], "date_range": "day"}


def record(site: Site, at: datetime, *, ip: str = "8.8.8.8", path: str = "/") -> Visit:
    """Record a pageview received when it happened."""
    return Visit.objects.record(**pageview(site, at=at, ip=ip, path=path))


def error_of(response) -> dict:
    """Return the parts of an error body that do not change from request to request."""
    body = response.json()
    return {"error": body["error"], "code": body["code"]}


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def owner():
    return baker.make("accounts.User", email="owner@example.com")


@pytest.fixture
def stranger():
    return baker.make("accounts.User", email="stranger@example.com")


@pytest.fixture
def site(owner):
    site = baker.make(
        "sites.Site",
        domain="example.com",
        timezone="Europe/Berlin",
        owner=owner,
        public=False,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    # Today in Berlin: visitor 8.8.8.8 twice, 1.1.1.1 once; yesterday: 9.9.9.9.
    record(site, datetime(2026, 5, 19, 9, 0, tzinfo=UTC), ip="9.9.9.9")
    record(site, datetime(2026, 5, 20, 8, 0, tzinfo=UTC))
    record(site, datetime(2026, 5, 20, 8, 1, tzinfo=UTC), path="/pricing")
    record(site, datetime(2026, 5, 20, 9, 58, tzinfo=UTC), ip="1.1.1.1")
    return site


@pytest.fixture
def public_site(site):
    site.public = True
    site.save(update_fields=["public"])
    return site


@pytest.fixture
def not_found_error(api_client):
    """The error answered for a domain nobody has registered."""
    response = api_client.post(QUERY_URL, {**DAY_QUERY, "site_id": "unknown.org"}, format="json")
    assert response.status_code == HTTPStatus.NOT_FOUND
    return error_of(response)


class QueryViewTest:
    def test_query_by_owner_session(self, api_client, site, owner):
        api_client.force_login(owner)

        response = api_client.post(QUERY_URL, DAY_QUERY, format="json")

        assert response.status_code == HTTPStatus.OK
        # Today: visitors 8.8.8.8 and 1.1.1.1; pageviews 2 + 1 = 3.
        assert response.json()["results"] == [{"metrics": [2, 3], "dimensions": []}]

    def test_query_by_viewer_member(self, api_client, site):
        viewer = baker.make("accounts.User", email="viewer@example.com")
        site.add_member(user=viewer, role=Role.VIEWER)
        api_client.force_login(viewer)

        response = api_client.post(QUERY_URL, DAY_QUERY, format="json")

        assert response.status_code == HTTPStatus.OK
        assert response.json()["results"] == [{"metrics": [2, 3], "dimensions": []}]

    def test_query_by_api_key(self, api_client, site, owner):
        _, secret = ApiKey.objects.create_key(user=owner, name="dashboard")

        response = api_client.post(QUERY_URL, DAY_QUERY, format="json", **bearer(secret))

        assert response.status_code == HTTPStatus.OK
        assert response.json()["results"] == [{"metrics": [2, 3], "dimensions": []}]

    def test_query_public_site_without_auth(self, api_client, public_site):
        response = api_client.post(QUERY_URL, DAY_QUERY, format="json")

        assert response.status_code == HTTPStatus.OK
        assert response.json()["results"] == [{"metrics": [2, 3], "dimensions": []}]

    def test_query_domain_in_other_case(self, api_client, public_site):
        response = api_client.post(
            QUERY_URL, {**DAY_QUERY, "site_id": "Example.COM"}, format="json"
        )

        assert response.status_code == HTTPStatus.OK
        assert response.json()["query"]["site_id"] == "example.com"

    def test_query_response_shape(self, api_client, public_site):
        response = api_client.post(QUERY_URL, DAY_QUERY, format="json")

        body = response.json()
        assert set(body) == {"results", "meta", "query"}
        assert body["meta"] == {}
        # "day" resolved with the frozen clock in the site's zone.
        assert body["query"]["date_range"] == [
            "2026-05-20T00:00:00+02:00",
            "2026-05-20T23:59:59+02:00",
        ]

    def test_query_date_range_from_clock(self, api_client, public_site):
        response = api_client.post(
            QUERY_URL, {**DAY_QUERY, "metrics": ["visitors"], "date_range": "7d"}, format="json"
        )

        # 14 … 20 May: the three visitors of yesterday and today.
        assert response.json()["results"] == [{"metrics": [3], "dimensions": []}]

    def test_query_private_site_without_auth_like_unknown(self, api_client, site, not_found_error):
        response = api_client.post(QUERY_URL, DAY_QUERY, format="json")

        assert response.status_code == HTTPStatus.NOT_FOUND
        assert error_of(response) == not_found_error

    def test_query_private_site_by_stranger_like_unknown(
        self, api_client, site, stranger, not_found_error
    ):
        api_client.force_login(stranger)

        response = api_client.post(QUERY_URL, DAY_QUERY, format="json")

        assert response.status_code == HTTPStatus.NOT_FOUND
        assert error_of(response) == not_found_error

    def test_query_private_site_by_stranger_key_like_unknown(
        self, api_client, site, stranger, not_found_error
    ):
        _, secret = ApiKey.objects.create_key(user=stranger, name="mine")

        response = api_client.post(QUERY_URL, DAY_QUERY, format="json", **bearer(secret))

        assert response.status_code == HTTPStatus.NOT_FOUND
        assert error_of(response) == not_found_error

    def test_query_invalid_api_key(self, api_client, public_site):
        response = api_client.post(
            QUERY_URL, DAY_QUERY, format="json", **bearer("tly_not-a-real-key")
        )

        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.json()["code"] == "authentication_failed"

    @pytest.mark.parametrize("site_id", [None, "", 42, ["example.com"]])
    def test_query_site_id_missing_or_not_a_domain(self, api_client, public_site, site_id):
        body = {**DAY_QUERY, "site_id": site_id}

        response = api_client.post(QUERY_URL, body, format="json")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["details"] == {"site_id": ["Give the site's domain as site_id."]}

    def test_query_without_site_id(self, api_client, public_site):
        body = {"metrics": ["visitors"], "date_range": "day"}

        response = api_client.post(QUERY_URL, body, format="json")

        assert_invalid(response, {"site_id": ["Give the site's domain as site_id."]})

    @pytest.mark.parametrize("body", [[DAY_QUERY], "example.com", 42])
    def test_query_body_not_an_object(self, api_client, public_site, body):
        response = api_client.post(QUERY_URL, body, format="json")

        assert_invalid(response, {"query": ["The query is a JSON object."]})

    def test_query_invalid_names_part(self, api_client, public_site):
        response = api_client.post(
            QUERY_URL, {**DAY_QUERY, "metrics": ["visitors", "bounces"]}, format="json"
        )

        assert_invalid(
            response,
            {
                "metrics": [
                    "Unknown metric 'bounces'; choose from visitors, visits, pageviews, "
                    "views_per_visit, bounce_rate, visit_duration, events, percentage."
                ]
            },
        )

    def test_query_too_many_time_buckets(self, api_client, public_site):
        body = {
            **DAY_QUERY,
            "date_range": ["2024-01-01", "2025-12-31"],
            "dimensions": ["time:hour"],
        }

        response = api_client.post(QUERY_URL, body, format="json")

        assert_invalid(
            response,
            {
                "dimensions": [
                    "At most 10000 time buckets: use a coarser time dimension or a shorter "
                    "date_range."
                ]
            },
        )

    def test_query_invalid_regular_expression(self, api_client, public_site):
        body = {**DAY_QUERY, "filters": [["matches", "event:page", ["(unclosed"]]]}

        response = api_client.post(QUERY_URL, body, format="json")

        assert_invalid(
            response,
            {
                "filters": [
                    "Invalid regular expression '(unclosed': invalid regular expression: "
                    "parentheses () not balanced"
                ]
            },
        )

    @pytest.mark.parametrize(
        "date_range",
        [
            ["2026-11-01T00:00:00+20:00", "2026-11-02T00:00:00+20:00"],
            ["2026-05-19T00:00:00Z", "2026-05-20T00:00:00-16:00"],
        ],
    )
    def test_query_date_range_offset_postgresql_refuses(self, api_client, public_site, date_range):
        response = api_client.post(
            QUERY_URL, {**DAY_QUERY, "date_range": date_range}, format="json"
        )

        assert_invalid(
            response, {"date_range": ["date_range: UTC offsets lie between -15:59 and +15:59."]}
        )

    def test_query_date_range_largest_offset(self, api_client, public_site):
        # 2026-05-20 00:00 to 11:59:59 in UTC: the three events of today.
        date_range = ["2026-05-20T15:59:00+15:59", "2026-05-20T11:59:59Z"]

        response = api_client.post(
            QUERY_URL, {**DAY_QUERY, "date_range": date_range}, format="json"
        )

        assert response.status_code == HTTPStatus.OK
        assert response.json()["results"] == [{"metrics": [2, 3], "dimensions": []}]

    @pytest.mark.parametrize(
        "date_range",
        [
            pytest.param(["1970-01-01", "1970-01-01"], id="first-day"),
            pytest.param(["9998-12-31", "9998-12-31"], id="last-day"),
            pytest.param(["9998-12-30", "9998-12-31"], id="last-two-days"),
            pytest.param(["9998-12-31T00:00:00", "9998-12-31T23:59:59"], id="last-moment"),
        ],
    )
    @pytest.mark.parametrize(
        "dimensions", [[], ["time"], ["time:week"], ["time:month"], ["event:page"]]
    )
    def test_query_date_range_year_bounds(self, api_client, public_site, date_range, dimensions):
        body = {**DAY_QUERY, "date_range": date_range, "dimensions": dimensions}

        response = api_client.post(QUERY_URL, body, format="json")

        assert response.status_code == HTTPStatus.OK
        assert response.json()["results"] == (
            [] if dimensions else [{"metrics": [0, 0], "dimensions": []}]
        )

    @pytest.mark.parametrize(
        "date_range",
        [
            pytest.param(["1969-12-31", "1970-01-01"], id="day-before-first"),
            pytest.param(["9998-12-31", "9999-01-01"], id="day-after-last"),
            pytest.param(["9998-12-31T00:00:00", "9999-01-01T00:00:00"], id="moment-after-last"),
        ],
    )
    def test_query_date_range_beyond_year_bounds(self, api_client, public_site, date_range):
        response = api_client.post(
            QUERY_URL, {**DAY_QUERY, "date_range": date_range}, format="json"
        )

        assert_invalid(response, {"date_range": ["date_range lies between 1970 and 9998."]})

    def test_query_date_range_out_of_range(self, api_client, public_site):
        body = {**DAY_QUERY, "date_range": ["2026-01-01", "9999-12-31"]}

        response = api_client.post(QUERY_URL, body, format="json")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert list(response.json()["details"]) == ["date_range"]


class RealtimeVisitorsViewTest:
    def test_realtime_public_site_without_auth(self, api_client, public_site):
        response = api_client.get(REALTIME_URL, {"site_id": "example.com"})

        assert response.status_code == HTTPStatus.OK
        # Only 1.1.1.1 had an event (09:58 UTC) in the five minutes before 10:00 UTC.
        assert response.json() == 1

    def test_realtime_by_owner_session(self, api_client, site, owner):
        record(site, NOW - timedelta(minutes=1))
        api_client.force_login(owner)

        response = api_client.get(REALTIME_URL, {"site_id": "example.com"})

        assert response.status_code == HTTPStatus.OK
        # 1.1.1.1 and now 8.8.8.8.
        assert response.json() == 2

    def test_realtime_by_api_key(self, api_client, site, owner):
        _, secret = ApiKey.objects.create_key(user=owner, name="dashboard")

        response = api_client.get(REALTIME_URL, {"site_id": "example.com"}, **bearer(secret))

        assert response.status_code == HTTPStatus.OK
        assert response.json() == 1

    def test_realtime_private_site_without_auth_like_unknown(
        self, api_client, site, not_found_error
    ):
        response = api_client.get(REALTIME_URL, {"site_id": "example.com"})

        assert response.status_code == HTTPStatus.NOT_FOUND
        assert error_of(response) == not_found_error

    def test_realtime_unknown_site(self, api_client, not_found_error):
        response = api_client.get(REALTIME_URL, {"site_id": "unknown.org"})

        assert response.status_code == HTTPStatus.NOT_FOUND
        assert error_of(response) == not_found_error

    def test_realtime_without_site_id(self, api_client, public_site):
        response = api_client.get(REALTIME_URL)

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["details"] == {"site_id": ["Give the site's domain as site_id."]}

    def test_realtime_invalid_api_key(self, api_client, public_site):
        response = api_client.get(
            REALTIME_URL, {"site_id": "example.com"}, **bearer("tly_not-a-real-key")
        )

        assert response.status_code == HTTPStatus.UNAUTHORIZED


class QueryBodyShapeTest:
    def test_query_body_a_list(self, api_client):
        response = api_client.post("/api/v2/query", [{"site_id": "example.com"}], format="json")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["details"] == {"query": ["The query is a JSON object."]}


class QueryInputTextTest:
    @pytest.mark.parametrize("site_id", ["a\\u0000.com", "\\ud800.com"])
    def test_query_site_id_unstorable(self, api_client, site_id):
        body = f'{{"site_id": "{site_id}", "metrics": ["visitors"], "date_range": "day"}}'

        response = api_client.post("/api/v2/query", body, content_type="application/json")

        assert_invalid(response, {"site_id": ["Give the site's domain as site_id."]})

    def test_realtime_site_id_nul(self, api_client):
        response = api_client.get("/api/v1/stats/realtime/visitors?site_id=%00")

        assert response.status_code == HTTPStatus.BAD_REQUEST


class QueryTimeoutTest:
    def test_query_cancelled_after_statement_timeout(self, api_client, public_site, monkeypatch):
        template = record(public_site, NOW)
        columns = ", ".join(f.column for f in Visit._meta.concrete_fields if f.column != "id")
        with connection.cursor() as cursor:  # 200,000 copies: far more than 1 ms of counting
            cursor.execute(
                f"INSERT INTO visits_visit ({columns}) SELECT {columns} FROM visits_visit, "  # noqa: S608
                "generate_series(1, 200000) WHERE id = %s",
                [template.pk],
            )
        monkeypatch.setattr(engine, "STATEMENT_TIMEOUT", "1ms")
        body = {"site_id": public_site.domain, "metrics": ["events"], "date_range": "day"}

        response = api_client.post("/api/v2/query", body)

        assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert response.json()["code"] == "query_timeout"
        monkeypatch.setattr(engine, "STATEMENT_TIMEOUT", "20s")
        # The connection is still usable, and the copies are all there to count.
        (events,) = api_client.post("/api/v2/query", body).json()["results"][0]["metrics"]
        assert events > 200_000

"""The visits collection under /api/visits/: list, filter, export, read one, post server-side."""

import base64
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from model_bakery import baker

from accounts.models import ApiKey
from proj.tests.bodies import post_chunked
from proj.tests.errors import assert_error, assert_invalid
from sites.models import Role, Site
from sites.tests.members import member_of
from visits.models import Session, Visit
from visits.serializers import VisitSerializer
from visits.tests.events import CHROME

pytestmark = pytest.mark.django_db

VISITS_URL = "/api/visits/"
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
UNKNOWN_SITE = "Unknown site, or one you may not post visits to."
BAD_SCHEME = "A page URL must start with http:// or https://."
ORDERING_MESSAGE = "Order by one or more of timestamp, with a leading '-' for descending order."
UNKNOWN_FIELD = (
    "Unknown field; use site, name, url, referrer, props, interactive, ip, user_agent, timestamp."
)
SITE_NOT_FOUND = "No site with this id, or you may not see it."
UTC_OFFSET = "UTC offsets lie between -15:59 and +15:59."
UNKNOWN_PARAMETER = (
    "Unknown query parameter; use browser, country, cursor, device, format, name, ordering, "
    "os, page_size, path, path_prefix, since, site, source, until, utm_campaign, utm_content, "
    "utm_medium, utm_source, utm_term."
)


def ids(response) -> list[int]:
    return [visit["id"] for visit in response.json()["results"]]


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


def server_visit(site: Site, **fields) -> dict:
    """A visit as a server posts it for one of its visitors."""
    return {
        "site": site.pk,
        "url": "https://example.com/pricing",
        "ip": "8.8.8.8",
        "user_agent": CHROME,
        **fields,
    }


@pytest.fixture
def owner():
    return baker.make("accounts.User", email="owner@example.com")


@pytest.fixture
def site(owner):
    return baker.make(Site, owner=owner, domain="example.com")


@pytest.fixture
def other_site():
    return baker.make(Site, domain="example.org")


@pytest.fixture
def owner_client(api_client, owner):
    api_client.force_authenticate(owner)
    return api_client


class VisitViewSetListTest:
    def test_list_owner_sees_own_sites(self, owner_client, site, other_site):
        visit = baker.make(Visit, site=site, timestamp=NOW)
        baker.make(Visit, site=other_site, timestamp=NOW)

        response = owner_client.get(VISITS_URL)

        assert response.status_code == HTTPStatus.OK
        assert ids(response) == [visit.pk]

    def test_list_fields(self, owner_client, site):
        visit = baker.make(
            Visit,
            site=site,
            timestamp=NOW,
            name="signup",
            session_id=42,
            hostname="example.com",
            path="/join",
            country="US",
            props={"plan": "pro"},
            interactive=False,
        )

        response = owner_client.get(VISITS_URL)

        (body,) = response.json()["results"]
        assert set(body) == set(VisitSerializer.Meta.fields)
        assert body["id"] == visit.pk
        assert body["site"] == site.pk
        assert body["timestamp"] == "2026-03-04T12:00:00Z"
        assert (body["name"], body["session_id"], body["path"]) == ("signup", 42, "/join")
        assert (body["country"], body["props"], body["interactive"]) == (
            "US",
            {"plan": "pro"},
            False,
        )
        assert "visitor_id" not in body

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.ADMIN])
    def test_list_member_sees_shared_site(self, api_client, site, other_site, role):
        member = member_of(site, role, "member@example.com")
        visit = baker.make(Visit, site=site, timestamp=NOW)
        baker.make(Visit, site=other_site, timestamp=NOW)
        api_client.force_authenticate(member)

        response = api_client.get(VISITS_URL)

        assert ids(response) == [visit.pk]

    def test_list_stranger_sees_none(self, api_client, site):
        stranger = baker.make("accounts.User", email="stranger@example.com")
        baker.make(Visit, site=site, timestamp=NOW)
        api_client.force_authenticate(stranger)

        response = api_client.get(VISITS_URL)

        assert response.status_code == HTTPStatus.OK
        assert response.json()["results"] == []

    def test_list_with_api_key(self, api_client, owner, site):
        _, secret = ApiKey.objects.create_key(user=owner, name="CI")
        visit = baker.make(Visit, site=site, timestamp=NOW)

        response = api_client.get(VISITS_URL, HTTP_AUTHORIZATION=f"Bearer {secret}")

        assert response.status_code == HTTPStatus.OK
        assert ids(response) == [visit.pk]

    def test_list_with_revoked_api_key(self, api_client, owner, site):
        key, secret = ApiKey.objects.create_key(user=owner, name="CI")
        key.delete()

        response = api_client.get(VISITS_URL, HTTP_AUTHORIZATION=f"Bearer {secret}")

        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.json()["code"] == "authentication_failed"

    def test_list_anonymous(self, api_client, site):
        baker.make(Visit, site=site, timestamp=NOW)

        response = api_client.get(VISITS_URL)

        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


class VisitViewSetRetrieveTest:
    def test_retrieve_own_visit(self, owner_client, site):
        visit = baker.make(Visit, site=site, timestamp=NOW, path="/pricing")

        response = owner_client.get(f"{VISITS_URL}{visit.pk}/")

        assert response.status_code == HTTPStatus.OK
        assert (response.json()["id"], response.json()["path"]) == (visit.pk, "/pricing")

    def test_retrieve_other_users_visit(self, owner_client, other_site):
        visit = baker.make(Visit, site=other_site, timestamp=NOW)

        response = owner_client.get(f"{VISITS_URL}{visit.pk}/")

        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json()["code"] == "not_found"

    def test_retrieve_anonymous(self, api_client, site):
        visit = baker.make(Visit, site=site, timestamp=NOW)

        response = api_client.get(f"{VISITS_URL}{visit.pk}/")

        assert response.status_code == HTTPStatus.UNAUTHORIZED

    def test_update_not_allowed(self, owner_client, site):
        visit = baker.make(Visit, site=site, timestamp=NOW, path="/pricing")

        response = owner_client.patch(f"{VISITS_URL}{visit.pk}/", {"path": "/x"})

        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
        visit.refresh_from_db()
        assert visit.path == "/pricing"

    def test_delete_not_allowed(self, owner_client, site):
        visit = baker.make(Visit, site=site, timestamp=NOW)

        response = owner_client.delete(f"{VISITS_URL}{visit.pk}/")

        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
        assert Visit.objects.filter(pk=visit.pk).exists()


class VisitViewSetFilterTest:
    def test_filter_site(self, owner, owner_client, site):
        own_other_site = baker.make(Site, owner=owner, domain="example.net")
        visit = baker.make(Visit, site=site, timestamp=NOW)
        baker.make(Visit, site=own_other_site, timestamp=NOW)

        response = owner_client.get(VISITS_URL, {"site": site.pk})

        assert ids(response) == [visit.pk]

    def test_filter_site_of_stranger(self, owner_client, site, other_site):
        baker.make(Visit, site=other_site, timestamp=NOW)

        response = owner_client.get(VISITS_URL, {"site": other_site.pk})

        body = assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert body["error"] == SITE_NOT_FOUND

    def test_filter_site_unknown(self, owner_client, site):
        response = owner_client.get(VISITS_URL, {"site": site.pk + 1000})

        body = assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert body["error"] == SITE_NOT_FOUND

    def test_filter_site_of_viewer(self, api_client, site):
        visit = baker.make(Visit, site=site, timestamp=NOW)
        api_client.force_authenticate(member_of(site, Role.VIEWER, "viewer@example.com"))

        response = api_client.get(VISITS_URL, {"site": site.pk})

        assert ids(response) == [visit.pk]

    def test_filter_site_out_of_range(self, owner_client, site):
        response = owner_client.get(VISITS_URL, {"site": "9" * 30})

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")

    def test_filter_since_inclusive(self, owner_client, site):
        baker.make(Visit, site=site, timestamp=NOW - timedelta(seconds=1))
        visit = baker.make(Visit, site=site, timestamp=NOW)

        response = owner_client.get(VISITS_URL, {"since": "2026-03-04T12:00:00Z"})

        assert ids(response) == [visit.pk]

    def test_filter_until_exclusive(self, owner_client, site):
        visit = baker.make(Visit, site=site, timestamp=NOW - timedelta(seconds=1))
        baker.make(Visit, site=site, timestamp=NOW)

        response = owner_client.get(VISITS_URL, {"until": "2026-03-04T12:00:00Z"})

        assert ids(response) == [visit.pk]

    def test_filter_since_and_until_with_offset(self, owner_client, site):
        baker.make(Visit, site=site, timestamp=NOW - timedelta(hours=2))
        visit = baker.make(Visit, site=site, timestamp=NOW)
        baker.make(Visit, site=site, timestamp=NOW + timedelta(hours=2))

        response = owner_client.get(
            VISITS_URL, {"since": "2026-03-04T12:30:00+01:00", "until": "2026-03-04T13:30:00+01:00"}
        )

        assert ids(response) == [visit.pk]

    @pytest.mark.parametrize(
        ("params", "details"),
        [
            ({"since": "yesterday"}, {"since": ["Enter a valid date/time."]}),
            ({"until": "2026-13-01T00:00:00Z"}, {"until": ["Enter a valid date/time."]}),
            ({"site": "example.com"}, {"site": ["Enter a whole number."]}),
            ({"site": "1.5"}, {"site": ["Enter a whole number."]}),
            ({"since": "2020-01-01T00:00:00+16:00"}, {"since": [UTC_OFFSET]}),
            ({"until": "2020-01-01T00:00:00-20:00"}, {"until": [UTC_OFFSET]}),
            ({"page_size": "many"}, {"page_size": ["A whole number from 1 to 1000."]}),
            ({"page_size": "1001"}, {"page_size": ["A whole number from 1 to 1000."]}),
        ],
    )
    def test_filter_invalid(self, owner_client, site, params, details):
        response = owner_client.get(VISITS_URL, params)

        assert_invalid(response, details)

    @pytest.mark.parametrize(
        ("field", "value", "other_value"),
        [
            ("name", "signup", "pageview"),
            ("country", "US", "GB"),
            ("browser", "Firefox", "Chrome"),
            ("os", "Linux", "Windows"),
            ("device", "mobile", "desktop"),
            ("source", "Google", "GitHub"),
            ("utm_source", "newsletter", "ads"),
            ("utm_medium", "email", "cpc"),
            ("utm_campaign", "spring", "autumn"),
            ("utm_term", "shoes", "hats"),
            ("utm_content", "header", "footer"),
        ],
    )
    def test_filter_exact(self, owner_client, site, field, value, other_value):
        visit = baker.make(Visit, site=site, timestamp=NOW, **{field: value})
        baker.make(Visit, site=site, timestamp=NOW, **{field: other_value})
        baker.make(Visit, site=site, timestamp=NOW, **{field: value.swapcase()})

        response = owner_client.get(VISITS_URL, {field: value})

        assert ids(response) == [visit.pk]

    def test_filter_path_exact(self, owner_client, site):
        visit = baker.make(Visit, site=site, timestamp=NOW, path="/blog")
        baker.make(Visit, site=site, timestamp=NOW, path="/blog/post")

        response = owner_client.get(VISITS_URL, {"path": "/blog"})

        assert ids(response) == [visit.pk]

    def test_filter_path_prefix(self, owner_client, site):
        index = baker.make(Visit, site=site, timestamp=NOW, path="/blog")
        post = baker.make(Visit, site=site, timestamp=NOW + timedelta(seconds=1), path="/blog/post")
        baker.make(Visit, site=site, timestamp=NOW, path="/pricing/blog")

        response = owner_client.get(VISITS_URL, {"path_prefix": "/blog"})

        assert ids(response) == [post.pk, index.pk]

    def test_filter_unknown_parameter(self, owner_client, site):
        baker.make(Visit, site=site, timestamp=NOW, path="/x")

        response = owner_client.get(VISITS_URL, {"pth": "/x", "colour": "blue"})

        assert_invalid(response, {"pth": [UNKNOWN_PARAMETER], "colour": [UNKNOWN_PARAMETER]})

    def test_filter_unknown_parameter_on_one_visit(self, owner_client, site):
        visit = baker.make(Visit, site=site, timestamp=NOW)

        response = owner_client.get(f"{VISITS_URL}{visit.pk}/", {"pth": "/x"})

        assert_invalid(response, {"pth": [UNKNOWN_PARAMETER]})

    def test_filter_unknown_format(self, owner_client, site):
        response = owner_client.get(VISITS_URL, {"format": "xml"})

        assert_invalid(response, {"format": ["Unknown format; use json, csv."]})

    def test_filter_csv_format_of_one_visit(self, owner_client, site):
        visit = baker.make(Visit, site=site, timestamp=NOW)

        response = owner_client.get(f"{VISITS_URL}{visit.pk}/", {"format": "csv"})

        assert_invalid(response, {"format": ["Unknown format; use json."]})


class VisitViewSetOrderingTest:
    def test_ordering_newest_first(self, owner_client, site):
        old = baker.make(Visit, site=site, timestamp=NOW - timedelta(hours=1))
        new = baker.make(Visit, site=site, timestamp=NOW)
        middle = baker.make(Visit, site=site, timestamp=NOW - timedelta(minutes=30))

        response = owner_client.get(VISITS_URL)

        assert ids(response) == [new.pk, middle.pk, old.pk]

    def test_ordering_oldest_first(self, owner_client, site):
        old = baker.make(Visit, site=site, timestamp=NOW - timedelta(hours=1))
        new = baker.make(Visit, site=site, timestamp=NOW)
        middle = baker.make(Visit, site=site, timestamp=NOW - timedelta(minutes=30))

        response = owner_client.get(VISITS_URL, {"ordering": "timestamp"})

        assert ids(response) == [old.pk, middle.pk, new.pk]

    def test_ordering_ties_broken_by_id(self, owner_client, site):
        first = baker.make(Visit, site=site, timestamp=NOW)
        second = baker.make(Visit, site=site, timestamp=NOW)

        response = owner_client.get(VISITS_URL, {"ordering": "timestamp"})

        assert ids(response) == [first.pk, second.pk]

    @pytest.mark.parametrize("ordering", ["path", "-visitor_id", "timestamp,name", ","])
    def test_ordering_unknown(self, owner_client, site, ordering):
        response = owner_client.get(VISITS_URL, {"ordering": ordering})

        assert_invalid(response, {"ordering": [ORDERING_MESSAGE]})


class VisitViewSetPaginationTest:
    @pytest.mark.parametrize(
        "position", [b"not-a-date", b"2026-13-45 10:00:00", b"2026-11-01T00:00:00%2B20:00"]
    )
    def test_pagination_forged_cursor(self, owner_client, site, position):
        forged = base64.b64encode(b"p=" + position).decode()

        response = owner_client.get(VISITS_URL, {"cursor": forged})

        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json()["error"] == "Invalid cursor"

    def test_pagination_follows_next_links(self, owner_client, site):
        visits = [
            baker.make(Visit, site=site, timestamp=NOW - timedelta(minutes=minutes))
            for minutes in range(5)
        ]

        seen, pages = [], 0
        url, params = VISITS_URL, {"page_size": 2}
        while url:
            body = owner_client.get(url, params).json()
            seen += [visit["id"] for visit in body["results"]]
            url, params, pages = body["next"], None, pages + 1

        assert seen == [visit.pk for visit in visits]
        assert pages == 3

    def test_pagination_first_page(self, owner_client, site):
        for minutes in range(3):
            baker.make(Visit, site=site, timestamp=NOW - timedelta(minutes=minutes))

        response = owner_client.get(VISITS_URL, {"page_size": 2})

        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        assert len(body["results"]) == 2
        assert body["previous"] is None
        assert "cursor=" in body["next"]

    def test_pagination_stable_while_visits_arrive(self, owner_client, site):
        visits = [
            baker.make(Visit, site=site, timestamp=NOW - timedelta(minutes=minutes))
            for minutes in range(4)
        ]
        first_page = owner_client.get(VISITS_URL, {"page_size": 2}).json()
        for minutes in range(1, 4):
            baker.make(Visit, site=site, timestamp=NOW + timedelta(minutes=minutes))

        second_page = owner_client.get(first_page["next"]).json()

        assert [visit["id"] for visit in first_page["results"]] == [v.pk for v in visits[:2]]
        assert [visit["id"] for visit in second_page["results"]] == [v.pk for v in visits[2:]]
        assert second_page["next"] is None

    def test_pagination_invalid_cursor(self, owner_client, site):
        response = owner_client.get(VISITS_URL, {"cursor": "not-a-cursor"})

        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json()["code"] == "not_found"


class VisitViewSetCsvTest:
    def test_csv_export(self, owner_client, site):
        visit = baker.make(
            Visit,
            site=site,
            timestamp=NOW,
            name="signup",
            path="/join",
            props={"city": "Zürich", "plan": "pro"},
            latitude=None,
            interactive=True,
        )

        response = owner_client.get(VISITS_URL, {"format": "csv"})

        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "text/csv"
        assert response["Content-Disposition"] == 'attachment; filename="visits.csv"'
        assert response.streaming
        header, row = csv_rows(response)
        assert header == VisitSerializer.Meta.fields
        cells = dict(zip(header, row, strict=True))
        assert cells["id"] == str(visit.pk)
        assert cells["site"] == str(site.pk)
        assert cells["timestamp"] == "2026-03-04T12:00:00+00:00"
        assert (cells["name"], cells["path"]) == ("signup", "/join")
        assert cells["props"] == '{"city": "Zürich", "plan": "pro"}'
        assert (cells["latitude"], cells["interactive"]) == ("", "True")

    def test_csv_export_honours_filters_and_ordering(self, owner_client, site):
        old = baker.make(Visit, site=site, timestamp=NOW - timedelta(hours=1), name="signup")
        new = baker.make(Visit, site=site, timestamp=NOW, name="signup")
        baker.make(Visit, site=site, timestamp=NOW, name="pageview")

        response = owner_client.get(
            VISITS_URL, {"format": "csv", "name": "signup", "ordering": "timestamp"}
        )

        rows = csv_rows(response)
        assert [row[0] for row in rows[1:]] == [str(old.pk), str(new.pk)]

    def test_csv_export_every_row_unpaginated(self, owner_client, site):
        for minutes in range(3):
            baker.make(Visit, site=site, timestamp=NOW - timedelta(minutes=minutes))

        response = owner_client.get(VISITS_URL, {"format": "csv", "page_size": 1})

        assert len(csv_rows(response)) == 4

    def test_csv_export_escapes_formulas(self, owner_client, site):
        baker.make(Visit, site=site, timestamp=NOW, path='=HYPERLINK("https://evil.example")')

        response = owner_client.get(VISITS_URL, {"format": "csv"})

        header, row = csv_rows(response)
        assert row[header.index("path")] == '\'=HYPERLINK("https://evil.example")'

    def test_csv_export_only_visible_sites(self, owner_client, site, other_site):
        visit = baker.make(Visit, site=site, timestamp=NOW)
        baker.make(Visit, site=other_site, timestamp=NOW)

        response = owner_client.get(VISITS_URL, {"format": "csv"})

        rows = csv_rows(response)
        assert [row[0] for row in rows[1:]] == [str(visit.pk)]

    def test_csv_export_invalid_filter(self, owner_client, site):
        response = owner_client.get(VISITS_URL, {"format": "csv", "since": "yesterday"})

        assert not response.streaming
        assert_invalid(response, {"since": ["Enter a valid date/time."]})

    def test_csv_export_offset_postgresql_refuses(self, owner_client, site):
        baker.make(Visit, site=site, timestamp=NOW)

        response = owner_client.get(
            VISITS_URL, {"format": "csv", "since": "2020-01-01T00:00:00+16:00"}
        )

        assert not response.streaming
        assert_invalid(response, {"since": [UTC_OFFSET]})

    def test_csv_export_unknown_parameter(self, owner_client, site):
        response = owner_client.get(VISITS_URL, {"format": "csv", "pth": "/x"})

        assert not response.streaming
        assert_invalid(response, {"pth": [UNKNOWN_PARAMETER]})

    def test_csv_export_site_of_stranger(self, owner_client, site, other_site):
        response = owner_client.get(VISITS_URL, {"format": "csv", "site": other_site.pk})

        assert not response.streaming
        body = assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert body["error"] == SITE_NOT_FOUND

    def test_csv_export_anonymous(self, api_client, site):
        baker.make(Visit, site=site, timestamp=NOW, path="/secret")

        response = api_client.get(VISITS_URL, {"format": "csv"})

        body = assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")
        assert body["error"] == "Authentication credentials were not provided."
        assert "/secret" not in response.content.decode()

    def test_csv_export_accept_header_anonymous(self, api_client, site):
        response = api_client.get(VISITS_URL, HTTP_ACCEPT="text/csv")

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")


class VisitViewSetCreateTest:
    def test_create_one_visit(self, owner_client, site):
        timestamp = NOW - timedelta(hours=1)

        with time_machine.travel(NOW, tick=False):
            response = owner_client.post(
                VISITS_URL, server_visit(site, timestamp=timestamp.isoformat()), format="json"
            )

        assert response.status_code == HTTPStatus.CREATED
        assert response.json() == {"recorded": 1, "dropped": []}
        visit = Visit.objects.get(site=site)
        assert (visit.timestamp, visit.path, visit.country) == (timestamp, "/pricing", "US")

    def test_create_chunked_body(self, owner_client, site):
        stream = io.BytesIO(json.dumps([server_visit(site)]).encode())

        response = post_chunked(owner_client, VISITS_URL, stream, "application/json")

        assert response.status_code == HTTPStatus.CREATED
        assert response.json() == {"recorded": 1, "dropped": []}

    def test_create_one_visit_for_site_of_viewer(self, api_client, site):
        viewer = member_of(site, Role.VIEWER, "viewer@example.com")
        api_client.force_authenticate(viewer)

        response = api_client.post(VISITS_URL, server_visit(site), format="json")

        assert_invalid(response, {"site": [UNKNOWN_SITE]})
        assert not Visit.objects.exists()

    def test_create_batch(self, owner_client, site):
        items = [
            server_visit(site, url=f"https://example.com/{page}", timestamp=timestamp)
            for page, timestamp in [
                ("a", "2026-03-04T11:00:00Z"),
                ("b", "2026-03-04T11:01:00Z"),
                ("c", "2026-03-04T11:02:00Z"),
            ]
        ]

        with time_machine.travel(NOW, tick=False):
            response = owner_client.post(VISITS_URL, items, format="json")

        assert response.status_code == HTTPStatus.CREATED
        assert response.json() == {"recorded": 3, "dropped": []}
        assert list(Visit.objects.order_by("timestamp").values_list("path", "timestamp")) == [
            ("/a", NOW - timedelta(minutes=60)),
            ("/b", NOW - timedelta(minutes=59)),
            ("/c", NOW - timedelta(minutes=58)),
        ]
        session = Session.objects.get()
        assert (session.pageviews, session.entry_page, session.exit_page) == (3, "/a", "/c")

    def test_create_batch_fields(self, owner_client, site):
        item = server_visit(
            site,
            name="signup",
            url="https://example.com/join?utm_source=newsletter",
            referrer="https://github.com/",
            props={"plan": "pro", "seats": 3},
            interactive=False,
            ip="81.2.69.142",
        )

        with time_machine.travel(NOW, tick=False):
            owner_client.post(VISITS_URL, [item], format="json")

        visit = Visit.objects.get(site=site)
        assert (visit.name, visit.path, visit.timestamp) == ("signup", "/join", NOW)
        assert (visit.referrer, visit.source, visit.utm_source) == (
            "github.com",
            "newsletter",
            "newsletter",
        )
        assert (visit.props, visit.interactive) == ({"plan": "pro", "seats": "3"}, False)
        assert (visit.country, visit.browser) == ("GB", "Chrome")

    def test_create_batch_name_defaults_to_pageview(self, owner_client, site):
        owner_client.post(VISITS_URL, [server_visit(site)], format="json")

        assert Visit.objects.get(site=site).name == "pageview"

    def test_create_batch_stores_neither_ip_nor_user_agent(self, owner_client, site):
        owner_client.post(VISITS_URL, [server_visit(site, ip="81.2.69.142")], format="json")

        rows = [*Visit.objects.values(), *Session.objects.values()]
        cells = [str(value) for row in rows for value in row.values()]
        assert len(rows) == 2
        assert not [cell for cell in cells if "81.2.69.142" in cell or CHROME in cell]

    @pytest.mark.parametrize(
        "invalid",
        [
            {"url": "ftp://example.com/"},
            {"ip": "not-an-ip"},
            {"user_agent": None},
            {"props": ["plan"]},
            {"timestamp": (NOW + timedelta(minutes=2)).isoformat()},
            {"timestamp": (NOW - timedelta(days=31)).isoformat()},
            {"site": 0},
        ],
        ids=["url", "ip", "user_agent", "props", "future", "too-old", "site"],
    )
    def test_create_batch_one_invalid_item_records_nothing(self, owner_client, site, invalid):
        items = [server_visit(site), server_visit(site) | invalid, server_visit(site)]

        with time_machine.travel(NOW, tick=False):
            response = owner_client.post(VISITS_URL, items, format="json")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["code"] == "invalid"
        assert not Visit.objects.exists()
        assert not Session.objects.exists()

    @pytest.mark.parametrize(
        ("invalid", "details"),
        [
            ({"url": "ftp://example.com/"}, {"1.url": [BAD_SCHEME]}),
            (
                {"timestamp": (NOW + timedelta(minutes=2)).isoformat()},
                {"1.timestamp": ["The timestamp is in the future."]},
            ),
            (
                {"timestamp": (NOW - timedelta(days=30, seconds=1)).isoformat()},
                {"1.timestamp": ["The timestamp is more than 30 days old."]},
            ),
        ],
        ids=["url", "future", "too-old"],
    )
    def test_create_batch_item_errors_keyed_by_index(self, owner_client, site, invalid, details):
        items = [server_visit(site), server_visit(site) | invalid]

        with time_machine.travel(NOW, tick=False):
            response = owner_client.post(VISITS_URL, items, format="json")

        assert_invalid(response, details)

    def test_create_batch_errors_of_several_items(self, owner_client, site):
        items = [server_visit(site, ip="not-an-ip"), server_visit(site), {"site": site.pk}]

        response = owner_client.post(VISITS_URL, items, format="json")

        assert_invalid(
            response,
            {
                "0.ip": ["Enter a valid IPv4 or IPv6 address."],
                "2.url": ["This field is required."],
                "2.ip": ["This field is required."],
                "2.user_agent": ["This field is required."],
            },
        )

    def test_create_batch_too_long(self, owner_client, site):
        items = [server_visit(site)] * 1001

        response = owner_client.post(VISITS_URL, items, format="json")

        assert_invalid(
            response, {"non_field_errors": ["Ensure this field has no more than 1000 elements."]}
        )
        assert not Visit.objects.exists()

    def test_create_batch_of_1000(self, owner_client, site):
        items = [server_visit(site)] * 1000

        response = owner_client.post(VISITS_URL, items, format="json")

        assert response.status_code == HTTPStatus.CREATED
        assert response.json()["recorded"] == 1000
        assert Visit.objects.filter(site=site).count() == 1000

    def test_create_batch_looks_each_site_up_once(self, owner_client, site):
        def statements(count: int) -> int:
            with CaptureQueriesContext(connection) as queries:
                response = owner_client.post(
                    VISITS_URL, [server_visit(site)] * count, format="json"
                )
            assert response.status_code == HTTPStatus.CREATED
            return len(queries)

        statements(1)  # the day's salts and the prepared statement, once
        # Each further visit costs its own two statements only (storing the event, then the
        # copies of its visit's start), not another site lookup.
        assert statements(3) - statements(1) == 4

    def test_create_batch_unknown_site_in_each_item(self, owner_client, site):
        items = [server_visit(site), {**server_visit(site), "site": 0}, server_visit(site)]

        response = owner_client.post(VISITS_URL, items, format="json")

        assert_invalid(response, {"1.site": [UNKNOWN_SITE]})

    def test_create_unknown_and_read_only_fields(self, owner_client, site):
        item = server_visit(site, path="/x", id=7)

        response = owner_client.post(VISITS_URL, item, format="json")

        assert_invalid(response, {"path": [UNKNOWN_FIELD], "id": [UNKNOWN_FIELD]})
        assert not Visit.objects.filter(site=site).exists()

    def test_create_batch_unknown_field_keyed_by_index(self, owner_client, site):
        items = [server_visit(site), server_visit(site, useragent=CHROME)]

        response = owner_client.post(VISITS_URL, items, format="json")

        assert_invalid(response, {"1.useragent": [UNKNOWN_FIELD]})

    @pytest.mark.parametrize(
        "timestamp", ["2026-03-04T20:00:00+16:00", "2026-03-03T00:00:00-20:00"]
    )
    def test_create_timestamp_offset_postgresql_refuses(self, owner_client, site, timestamp):
        with time_machine.travel(NOW, tick=False):
            response = owner_client.post(
                VISITS_URL, server_visit(site, timestamp=timestamp), format="json"
            )

        assert_invalid(response, {"timestamp": [UTC_OFFSET]})

    def test_create_timestamp_largest_offset(self, owner_client, site):
        with time_machine.travel(NOW, tick=False):
            response = owner_client.post(
                VISITS_URL,
                server_visit(site, timestamp="2026-03-04T15:59:00+15:59"),
                format="json",
            )

        assert response.status_code == HTTPStatus.CREATED
        assert Visit.objects.get(site=site).timestamp == NOW - timedelta(hours=12)

    def test_create_csv_format(self, owner_client, site):
        response = owner_client.post(f"{VISITS_URL}?format=csv", server_visit(site), format="json")

        assert_invalid(response, {"format": ["Unknown format; use json."]})

    def test_create_empty_batch(self, owner_client, site):
        response = owner_client.post(VISITS_URL, [], format="json")

        assert_invalid(response, {"non_field_errors": ["This list may not be empty."]})

    @pytest.mark.parametrize(
        "timestamp",
        [NOW + timedelta(minutes=1), NOW - timedelta(days=30)],
        ids=["clock-skew", "30-days"],
    )
    def test_create_batch_timestamp_at_limit(self, owner_client, site, timestamp):
        item = server_visit(site, timestamp=timestamp.isoformat())

        with time_machine.travel(NOW, tick=False):
            response = owner_client.post(VISITS_URL, [item], format="json")

        assert response.status_code == HTTPStatus.CREATED
        assert Visit.objects.get(site=site).timestamp == timestamp

    def test_create_batch_for_site_of_viewer_records_nothing(self, api_client, site):
        viewer = member_of(site, Role.VIEWER, "viewer@example.com")
        api_client.force_authenticate(viewer)

        response = api_client.post(VISITS_URL, [server_visit(site)], format="json")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert not Visit.objects.exists()

    def test_create_batch_for_site_of_viewer(self, api_client, site):
        viewer = member_of(site, Role.VIEWER, "viewer@example.com")
        api_client.force_authenticate(viewer)

        response = api_client.post(VISITS_URL, [server_visit(site)], format="json")

        assert_invalid(response, {"0.site": [UNKNOWN_SITE]})
        assert not Visit.objects.exists()

    def test_create_batch_for_site_of_stranger_records_nothing(self, owner_client, other_site):
        response = owner_client.post(VISITS_URL, [server_visit(other_site)], format="json")

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert not Visit.objects.filter(site=other_site).exists()

    def test_create_batch_for_site_of_stranger(self, owner_client, other_site):
        response = owner_client.post(VISITS_URL, [server_visit(other_site)], format="json")

        assert_invalid(response, {"0.site": [UNKNOWN_SITE]})
        assert not Visit.objects.exists()

    def test_create_batch_for_site_of_admin(self, api_client, site):
        admin = member_of(site, Role.ADMIN, "admin@example.com")
        api_client.force_authenticate(admin)

        response = api_client.post(VISITS_URL, [server_visit(site)], format="json")

        assert response.status_code == HTTPStatus.CREATED
        assert Visit.objects.filter(site=site).count() == 1

    def test_create_batch_with_api_key(self, api_client, owner, site):
        _, secret = ApiKey.objects.create_key(user=owner, name="CI")

        response = api_client.post(
            VISITS_URL, [server_visit(site)], format="json", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )

        assert response.status_code == HTTPStatus.CREATED
        assert Visit.objects.filter(site=site).count() == 1

    def test_create_batch_with_dropped_items(self, owner, owner_client):
        site = baker.make(Site, owner=owner, domain="example.com", excluded_ips=["203.0.113.0/24"])
        items = [
            server_visit(site, user_agent=GOOGLEBOT),
            server_visit(site),
            server_visit(site, ip="203.0.113.5"),
            server_visit(site, url="https://other.com/"),
        ]

        response = owner_client.post(VISITS_URL, items, format="json")

        assert response.status_code == HTTPStatus.CREATED
        assert response.json() == {
            "recorded": 1,
            "dropped": [
                {"index": 0, "reason": "bot"},
                {"index": 2, "reason": "excluded_ip"},
                {"index": 3, "reason": "hostname_mismatch"},
            ],
        }
        assert Visit.objects.filter(site=site).count() == 1

    def test_create_logged(self, owner, owner_client, site, caplog):
        items = [server_visit(site), server_visit(site, user_agent=GOOGLEBOT)]

        owner_client.post(VISITS_URL, items, format="json")

        (event,) = [
            r.msg
            for r in caplog.records
            if isinstance(r.msg, dict) and r.msg["event"] == "visits_posted"
        ]
        assert (event["user_id"], event["recorded"], event["dropped"]) == (owner.pk, 1, 1)
        logged = " ".join(str(r.msg) + r.getMessage() for r in caplog.records)
        assert "8.8.8.8" not in logged

    def test_create_anonymous(self, api_client, site):
        response = api_client.post(VISITS_URL, [server_visit(site)], format="json")

        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert not Visit.objects.exists()

    def test_create_body_neither_object_nor_list(self, owner_client, site):
        response = owner_client.post(VISITS_URL, "pageview", format="json")

        assert_invalid(
            response, {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}
        )

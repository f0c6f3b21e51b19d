"""The sites collection and each site's members, through the API."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from model_bakery import baker

from accounts.models import ApiKey
from proj.tests.errors import assert_error, assert_invalid
from sites.models import Membership, Role, Site
from sites.tests.members import member_of

pytestmark = pytest.mark.django_db

SITES_URL = "/api/sites/"
NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
INVALID_DOMAIN = "Enter a valid domain name such as example.com."
ORDERING_MESSAGE = (
    "Order by one or more of domain, name, created_at, with a leading '-' for descending order."
)


def bad_network(value: str) -> str:
    return f"{value!r} is not an IP address or CIDR range such as 203.0.113.0/24."


def bad_timezone(value: str) -> str:
    return f"{value!r} is not an IANA time zone name such as Europe/Paris."


def site_url(site: Site) -> str:
    return f"{SITES_URL}{site.pk}/"


def members_url(site: Site) -> str:
    return f"{SITES_URL}{site.pk}/members/"


def member_url(site: Site, user) -> str:
    return f"{SITES_URL}{site.pk}/members/{user.pk}/"


def snippet(domain: str) -> str:
    return f'<script defer data-domain="{domain}" src="http://testserver/js/script.js"></script>'


@pytest.fixture
def owner():
    return baker.make("accounts.User", email="owner@example.com", name="Olive Owner")


@pytest.fixture
def site(owner):
    return baker.make(Site, owner=owner, domain="example.com", name="Example")


@pytest.fixture
def admin(site):
    return member_of(site, Role.ADMIN, "admin@example.com")


@pytest.fixture
def viewer(site):
    return member_of(site, Role.VIEWER, "viewer@example.com")


@pytest.fixture
def stranger():
    return baker.make("accounts.User", email="stranger@example.com")


@pytest.fixture
def users(owner, admin, viewer):
    """Return the site's owner and members by role."""
    return {"owner": owner, "admin": admin, "viewer": viewer}


class SiteViewSetCreateTest:
    def test_create_by_user(self, api_client, owner, time_machine):
        time_machine.move_to(NOW, tick=False)
        api_client.force_authenticate(owner)

        response = api_client.post(SITES_URL, {"domain": "https://WWW.Example.com/"}, format="json")

        assert response.status_code == HTTPStatus.CREATED
        site = Site.objects.get(domain="example.com")
        assert response.json() == {
            "id": site.pk,
            "domain": "example.com",
            "name": "",
            "timezone": "UTC",
            "public": False,
            "excluded_ips": [],
            "created_at": "2026-03-04T05:06:07Z",
            "owner": "owner@example.com",
            "role": "owner",
            "tracking_snippet": snippet("example.com"),
        }
        assert site.owner == owner
        assert site.created_at == NOW

    def test_create_every_setting(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.post(
            SITES_URL,
            {
                "domain": "Bücher.de",
                "name": "Books",
                "timezone": "Europe/Berlin",
                "public": True,
                "excluded_ips": ["10.1.2.3/8", "203.0.113.7", "10.0.0.0/8"],
            },
            format="json",
        )

        assert response.status_code == HTTPStatus.CREATED
        body = response.json()
        assert body["domain"] == "xn--bcher-kva.de"
        assert body["name"] == "Books"
        assert body["timezone"] == "Europe/Berlin"
        assert body["public"] is True
        assert body["excluded_ips"] == ["10.0.0.0/8", "203.0.113.7/32"]
        assert body["tracking_snippet"] == snippet("xn--bcher-kva.de")
        site = Site.objects.get(pk=body["id"])
        assert site.domain == "xn--bcher-kva.de"
        assert site.name == "Books"
        assert site.timezone == "Europe/Berlin"
        assert site.public is True
        assert site.excluded_ips == ["10.0.0.0/8", "203.0.113.7/32"]

    def test_create_read_only_fields(self, api_client, owner, stranger):
        api_client.force_authenticate(owner)

        response = api_client.post(
            SITES_URL,
            {
                "domain": "example.com",
                "id": 999_999,
                "owner": stranger.email,
                "role": "viewer",
                "created_at": "2000-01-01T00:00:00Z",
                "tracking_snippet": "<script>evil()</script>",
            },
            format="json",
        )

        read_only = ["This field is read-only."]
        assert_invalid(
            response,
            {
                "id": read_only,
                "owner": read_only,
                "role": read_only,
                "created_at": read_only,
                "tracking_snippet": read_only,
            },
        )
        assert not Site.objects.filter(domain="example.com").exists()

    def test_create_public_number(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.post(SITES_URL, {"domain": "example.com", "public": 0}, format="json")

        assert_invalid(response, {"public": ["Must be true or false."]})
        assert not Site.objects.filter(domain="example.com").exists()

    def test_create_unknown_field(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.post(
            SITES_URL, {"domain": "example.com", "time_zone": "Europe/Paris"}, format="json"
        )

        assert_invalid(
            response,
            {"time_zone": ["Unknown field; use domain, name, timezone, public, excluded_ips."]},
        )

    def test_create_with_api_key(self, api_client, owner):
        _, secret = ApiKey.objects.create_key(user=owner, name="ci")

        response = api_client.post(
            SITES_URL,
            {"domain": "example.com"},
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )

        assert response.status_code == HTTPStatus.CREATED
        assert response.json()["owner"] == "owner@example.com"
        assert Site.objects.get(domain="example.com").owner == owner

    def test_create_with_invalid_api_key_unauthenticated(self, api_client):
        response = api_client.post(
            SITES_URL,
            {"domain": "example.com"},
            format="json",
            HTTP_AUTHORIZATION="Bearer tly_not-a-real-key",
        )

        assert_error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")
        assert not Site.objects.filter(domain="example.com").exists()

    def test_create_unauthenticated(self, api_client):
        response = api_client.post(SITES_URL, {"domain": "example.com"}, format="json")

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert not Site.objects.filter(domain="example.com").exists()

    def test_create_missing_domain(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.post(SITES_URL, {"name": "Shop"}, format="json")

        assert_invalid(response, {"domain": ["This field is required."]})
        assert not Site.objects.filter(owner=owner).exists()

    @pytest.mark.parametrize(
        ("domain", "message"),
        [
            pytest.param("", "This field may not be blank.", id="blank"),
            pytest.param("localhost", INVALID_DOMAIN, id="single-label"),
            pytest.param("ex_ample.com", INVALID_DOMAIN, id="underscore"),
            pytest.param("192.0.2.1", "Enter a domain name, not an IP address.", id="ipv4"),
            pytest.param("[::1]", "Enter a domain name, not an IP address.", id="ipv6"),
            pytest.param(
                "a" * 254, "Ensure this field has no more than 253 characters.", id="too-long"
            ),
        ],
    )
    def test_create_invalid_domain(self, api_client, owner, domain, message):
        api_client.force_authenticate(owner)

        response = api_client.post(SITES_URL, {"domain": domain}, format="json")

        assert_invalid(response, {"domain": [message]})
        assert not Site.objects.filter(owner=owner).exists()

    def test_create_domain_unbalanced_bracket_invalid(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.post(SITES_URL, {"domain": "http://[::1"}, format="json")

        assert_invalid(response, {"domain": ["Enter a domain name such as example.com."]})
        assert not Site.objects.filter(owner=owner).exists()

    @pytest.mark.parametrize(
        "domain",
        ["example.com", "EXAMPLE.COM", "www.example.com", "https://Www.Example.com/shop"],
    )
    def test_create_duplicate_domain(self, api_client, site, stranger, domain):
        api_client.force_authenticate(stranger)

        response = api_client.post(SITES_URL, {"domain": domain}, format="json")

        assert_invalid(response, {"domain": ["Site with this Domain already exists."]})
        assert list(Site.objects.filter(domain="example.com")) == [site]
        assert not Site.objects.filter(owner=stranger).exists()

    def test_create_invalid_timezone(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.post(
            SITES_URL, {"domain": "example.com", "timezone": "Mars/Olympus"}, format="json"
        )

        assert_invalid(
            response,
            {"timezone": [bad_timezone("Mars/Olympus")]},
        )
        assert not Site.objects.filter(owner=owner).exists()

    def test_create_invalid_excluded_ips(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.post(
            SITES_URL,
            {"domain": "example.com", "excluded_ips": ["nope", "10.0.0.1", "10.0.0.0/33"]},
            format="json",
        )

        assert_invalid(
            response,
            {
                "excluded_ips": [
                    bad_network("nope"),
                    bad_network("10.0.0.0/33"),
                ]
            },
        )
        assert not Site.objects.filter(owner=owner).exists()

    def test_create_invalid_domain_and_excluded_ips(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.post(
            SITES_URL, {"domain": "localhost", "excluded_ips": ["nope"]}, format="json"
        )

        assert_invalid(
            response,
            {
                "domain": [INVALID_DOMAIN],
                "excluded_ips": [bad_network("nope")],
            },
        )
        assert not Site.objects.filter(owner=owner).exists()

    def test_create_excluded_ips_at_limit(self, api_client, owner):
        api_client.force_authenticate(owner)
        addresses = [f"10.0.0.{host}" for host in range(100)]

        response = api_client.post(
            SITES_URL, {"domain": "example.com", "excluded_ips": addresses}, format="json"
        )

        assert response.status_code == HTTPStatus.CREATED
        assert len(Site.objects.get(domain="example.com").excluded_ips) == 100

    def test_create_too_many_excluded_ips(self, api_client, owner):
        api_client.force_authenticate(owner)
        addresses = [f"10.0.0.{host}" for host in range(101)]

        response = api_client.post(
            SITES_URL, {"domain": "example.com", "excluded_ips": addresses}, format="json"
        )

        assert_invalid(
            response, {"excluded_ips": ["Ensure this field has no more than 100 elements."]}
        )
        assert not Site.objects.filter(owner=owner).exists()

    def test_create_excluded_ips_not_a_list(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.post(
            SITES_URL, {"domain": "example.com", "excluded_ips": "10.0.0.1"}, format="json"
        )

        assert_invalid(response, {"excluded_ips": ['Expected a list of items but got type "str".']})
        assert not Site.objects.filter(owner=owner).exists()


class SiteViewSetListTest:
    def test_list_owned_and_shared(self, api_client, owner, site):
        shared = baker.make(Site, owner=baker.make("accounts.User"), domain="a-shared.example")
        baker.make(Membership, site=shared, user=owner, role=Role.VIEWER)
        baker.make(Site, owner=baker.make("accounts.User"), domain="hidden.example")
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL)

        assert response.status_code == HTTPStatus.OK
        body = response.json()
        assert body["count"] == 2
        assert body["next"] is None
        assert body["previous"] is None
        assert body["page_size"] == 50
        assert [(item["domain"], item["role"]) for item in body["results"]] == [
            ("a-shared.example", "viewer"),
            ("example.com", "owner"),
        ]

    def test_list_item_shape(self, api_client, owner):
        site = baker.make(
            Site,
            owner=owner,
            domain="example.com",
            name="Example",
            timezone="Europe/Paris",
            public=True,
            excluded_ips=["10.0.0.0/8"],
            created_at=NOW,
        )
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL)

        assert response.status_code == HTTPStatus.OK
        assert response.json()["results"] == [
            {
                "id": site.pk,
                "domain": "example.com",
                "name": "Example",
                "timezone": "Europe/Paris",
                "public": True,
                "excluded_ips": ["10.0.0.0/8"],
                "created_at": "2026-03-04T05:06:07Z",
                "owner": "owner@example.com",
                "role": "owner",
                "tracking_snippet": snippet("example.com"),
            }
        ]

    def test_list_nothing_visible(self, api_client, site, stranger):
        api_client.force_authenticate(stranger)

        response = api_client.get(SITES_URL)

        assert response.status_code == HTTPStatus.OK
        assert response.json() == {
            "count": 0,
            "next": None,
            "previous": None,
            "page_size": 50,
            "results": [],
        }

    def test_list_unauthenticated(self, api_client, site):
        response = api_client.get(SITES_URL)

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_list_page_size_respected(self, api_client, owner):
        for domain in ["a.example", "b.example", "c.example"]:
            baker.make(Site, owner=owner, domain=domain)
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL, {"page_size": 2})

        assert response.status_code == HTTPStatus.OK
        body = response.json()
        assert body["count"] == 3
        assert body["page_size"] == 2
        assert body["previous"] is None
        assert body["next"] == "http://testserver/api/sites/?page=2&page_size=2"
        assert [item["domain"] for item in body["results"]] == ["a.example", "b.example"]

    def test_list_second_page(self, api_client, owner):
        for domain in ["a.example", "b.example", "c.example"]:
            baker.make(Site, owner=owner, domain=domain)
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL, {"page_size": 2, "page": 2})

        assert response.status_code == HTTPStatus.OK
        body = response.json()
        assert body["previous"] == "http://testserver/api/sites/?page_size=2"
        assert body["next"] is None
        assert [item["domain"] for item in body["results"]] == ["c.example"]

    def test_list_page_size_at_cap(self, api_client, owner, site):
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL, {"page_size": 100})

        assert response.status_code == HTTPStatus.OK
        assert response.json()["page_size"] == 100

    @pytest.mark.parametrize("page_size", ["101", "1000", "0", "-1", "abc", "", "2.0"])
    def test_list_page_size_invalid(self, api_client, owner, site, page_size):
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL, {"page_size": page_size})

        assert_invalid(response, {"page_size": ["A whole number from 1 to 100."]})

    def test_list_unknown_parameter(self, api_client, owner, site):
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL, {"domain": "example.com"})

        assert_invalid(
            response,
            {"domain": ["Unknown query parameter; use format, ordering, page, page_size."]},
        )

    def test_list_unknown_format(self, api_client, owner, site):
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL, {"format": "csv"})

        assert_invalid(response, {"format": ["Unknown format; use json."]})

    @pytest.mark.parametrize("page", ["2", "0", "abc"])
    def test_list_invalid_page(self, api_client, owner, site, page):
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL, {"page": page})

        body = assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert body["error"] == "Invalid page."
        assert "details" not in body

    @pytest.mark.parametrize(
        ("ordering", "expected"),
        [
            pytest.param(None, ["a.example", "b.example", "c.example"], id="default-domain"),
            pytest.param("domain", ["a.example", "b.example", "c.example"], id="domain"),
            pytest.param("-domain", ["c.example", "b.example", "a.example"], id="-domain"),
            pytest.param("name", ["b.example", "c.example", "a.example"], id="name"),
            pytest.param("-name", ["a.example", "c.example", "b.example"], id="-name"),
            pytest.param("created_at", ["c.example", "a.example", "b.example"], id="created_at"),
            pytest.param("-created_at", ["b.example", "a.example", "c.example"], id="-created_at"),
            pytest.param(" name , -domain ", ["b.example", "c.example", "a.example"], id="spaces"),
        ],
    )
    def test_list_ordering(self, api_client, owner, stranger, ordering, expected):
        baker.make(Site, owner=owner, domain="a.example", name="Charlie", created_at=NOW)
        baker.make(
            Site, owner=owner, domain="b.example", name="Alpha", created_at=NOW + timedelta(days=1)
        )
        baker.make(
            Site, owner=owner, domain="c.example", name="Bravo", created_at=NOW - timedelta(days=1)
        )
        baker.make(
            Site,
            owner=stranger,
            domain="0.example",
            name="AAA",
            created_at=NOW - timedelta(days=9),
        )
        api_client.force_authenticate(owner)
        params = {} if ordering is None else {"ordering": ordering}

        response = api_client.get(SITES_URL, params)

        assert response.status_code == HTTPStatus.OK
        assert [item["domain"] for item in response.json()["results"]] == expected

    def test_list_ordering_several_fields(self, api_client, owner):
        baker.make(Site, owner=owner, domain="a.example", name="Same")
        baker.make(Site, owner=owner, domain="b.example", name="Same")
        baker.make(Site, owner=owner, domain="c.example", name="Other")
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL, {"ordering": "name,-domain"})

        assert response.status_code == HTTPStatus.OK
        assert [item["domain"] for item in response.json()["results"]] == [
            "c.example",
            "b.example",
            "a.example",
        ]

    @pytest.mark.parametrize("ordering", ["name", "-name", "created_at"])
    def test_list_ties_stable_across_pages(self, api_client, owner, stranger, ordering):
        sites = [
            baker.make(Site, owner=owner, domain=domain, name="Shop", created_at=NOW)
            for domain in ["e.example", "d.example", "c.example", "b.example", "a.example"]
        ]
        baker.make(Site, owner=stranger, domain="x.example", name="Shop", created_at=NOW)
        api_client.force_authenticate(owner)

        pages = [
            api_client.get(SITES_URL, {"ordering": ordering, "page_size": 1, "page": page})
            for page in range(1, 6)
        ]

        assert [page.status_code for page in pages] == [HTTPStatus.OK] * 5
        seen = [item["id"] for page in pages for item in page.json()["results"]]
        assert seen == sorted(site.pk for site in sites)
        assert pages[-1].json()["next"] is None

    @pytest.mark.parametrize(
        "ordering",
        [
            pytest.param("owner", id="not-allowed-field"),
            pytest.param("id", id="id"),
            pytest.param("-excluded_ips", id="descending-not-allowed"),
            pytest.param("owner__password", id="related-field"),
            pytest.param("domain,nope", id="one-of-several-unknown"),
            pytest.param("", id="empty"),
            pytest.param(" , ", id="only-separators"),
        ],
    )
    def test_list_unknown_ordering(self, api_client, owner, site, ordering):
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL, {"ordering": ordering})

        assert_invalid(response, {"ordering": [ORDERING_MESSAGE]})

    def test_list_double_hyphen_ordering_invalid(self, api_client, owner, site):
        api_client.force_authenticate(owner)

        response = api_client.get(SITES_URL, {"ordering": "--name"})

        assert_invalid(response, {"ordering": [ORDERING_MESSAGE]})

    def test_list_other_users_sites_on_no_page(self, api_client, owner, stranger):
        own = {baker.make(Site, owner=owner, domain=f"{letter}.example").pk for letter in "acegi"}
        for letter in "bdfhj":
            baker.make(Site, owner=stranger, domain=f"{letter}.example")
        api_client.force_authenticate(owner)

        pages = [
            api_client.get(SITES_URL, {"page_size": 2, "page": page}).json() for page in (1, 2, 3)
        ]

        assert [page["count"] for page in pages] == [5, 5, 5]
        assert {item["id"] for page in pages for item in page["results"]} == own


class SiteViewSetRetrieveTest:
    @pytest.mark.parametrize("role", ["owner", "admin", "viewer"])
    def test_retrieve_by_member(self, api_client, site, users, role):
        api_client.force_authenticate(users[role])

        response = api_client.get(site_url(site))

        assert response.status_code == HTTPStatus.OK
        body = response.json()
        assert body["id"] == site.pk
        assert body["domain"] == "example.com"
        assert body["owner"] == "owner@example.com"
        assert body["role"] == role

    def test_retrieve_by_stranger_not_found(self, api_client, site, stranger):
        api_client.force_authenticate(stranger)

        response = api_client.get(site_url(site))

        body = assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert "example.com" not in response.content.decode()
        assert "details" not in body

    def test_retrieve_nonexistent_not_found(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.get(f"{SITES_URL}999999/")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")

    def test_retrieve_unauthenticated(self, api_client, site):
        response = api_client.get(site_url(site))

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")


class SiteViewSetPartialUpdateTest:
    @pytest.mark.parametrize("role", ["owner", "admin"])
    def test_partial_update_by_editor(self, api_client, site, users, role):
        api_client.force_authenticate(users[role])

        response = api_client.patch(
            site_url(site),
            {
                "name": "Shop",
                "timezone": "Europe/Paris",
                "public": True,
                "excluded_ips": ["10.1.2.3/8", "10.0.0.0/8", "2001:db8::1"],
            },
            format="json",
        )

        assert response.status_code == HTTPStatus.OK
        body = response.json()
        assert body["name"] == "Shop"
        assert body["timezone"] == "Europe/Paris"
        assert body["public"] is True
        assert body["excluded_ips"] == ["10.0.0.0/8", "2001:db8::1/128"]
        assert body["role"] == role
        site.refresh_from_db()
        assert site.name == "Shop"
        assert site.timezone == "Europe/Paris"
        assert site.public is True
        assert site.excluded_ips == ["10.0.0.0/8", "2001:db8::1/128"]
        assert site.domain == "example.com"

    @pytest.mark.parametrize("role", ["owner", "admin"])
    def test_partial_update_domain_normalised(self, api_client, site, users, role):
        api_client.force_authenticate(users[role])

        response = api_client.patch(
            site_url(site), {"domain": "https://WWW.Shop.Example/"}, format="json"
        )

        assert response.status_code == HTTPStatus.OK
        assert response.json()["domain"] == "shop.example"
        assert response.json()["tracking_snippet"] == snippet("shop.example")
        site.refresh_from_db()
        assert site.domain == "shop.example"
        assert site.name == "Example"

    def test_partial_update_same_domain_other_spelling(self, api_client, owner, site):
        api_client.force_authenticate(owner)

        response = api_client.patch(site_url(site), {"domain": "WWW.EXAMPLE.COM"}, format="json")

        assert response.status_code == HTTPStatus.OK
        site.refresh_from_db()
        assert site.domain == "example.com"

    @pytest.mark.parametrize(
        "domain", ["other.example", "WWW.Other.Example", "http://other.example"]
    )
    def test_partial_update_duplicate_domain(self, api_client, owner, site, stranger, domain):
        other_site = baker.make(Site, owner=stranger, domain="other.example")
        api_client.force_authenticate(owner)

        response = api_client.patch(site_url(site), {"domain": domain}, format="json")

        assert_invalid(response, {"domain": ["Site with this Domain already exists."]})
        site.refresh_from_db()
        other_site.refresh_from_db()
        assert site.domain == "example.com"
        assert other_site.owner == stranger

    @pytest.mark.parametrize(
        ("data", "details"),
        [
            pytest.param(
                {"domain": "localhost"},
                {"domain": [INVALID_DOMAIN]},
                id="domain",
            ),
            pytest.param(
                {"timezone": "Mars/Olympus"},
                {"timezone": [bad_timezone("Mars/Olympus")]},
                id="timezone",
            ),
            pytest.param(
                {"excluded_ips": ["nope"]},
                {"excluded_ips": [bad_network("nope")]},
                id="excluded_ips",
            ),
            pytest.param(
                {"public": "sometimes"}, {"public": ["Must be true or false."]}, id="public"
            ),
            pytest.param({"public": 1}, {"public": ["Must be true or false."]}, id="public-1"),
            pytest.param({"public": "yes"}, {"public": ["Must be true or false."]}, id="yes"),
            pytest.param(
                {"name": 0}, {"name": ["Not a valid string; send a JSON string."]}, id="name-0"
            ),
            pytest.param(
                {"excluded_ips": ["203.0.113.7", 7]},
                {"excluded_ips": {"1": ["Not a valid string; send a JSON string."]}},
                id="excluded_ips-number",
            ),
        ],
    )
    def test_partial_update_invalid(self, api_client, owner, site, data, details):
        api_client.force_authenticate(owner)

        response = api_client.patch(site_url(site), data, format="json")

        assert_invalid(response, details)
        site.refresh_from_db()
        assert site.domain == "example.com"
        assert site.timezone == "UTC"
        assert site.excluded_ips == []
        assert site.public is False

    def test_partial_update_owner_read_only(self, api_client, site, admin):
        api_client.force_authenticate(admin)

        response = api_client.patch(
            site_url(site), {"owner": admin.email, "name": "Mine"}, format="json"
        )

        assert_invalid(response, {"owner": ["This field is read-only."]})
        site.refresh_from_db()
        assert (site.owner.email, site.name) == ("owner@example.com", "Example")

    def test_partial_update_unknown_parameter(self, api_client, site, admin):
        api_client.force_authenticate(admin)

        response = api_client.patch(
            site_url(site), {"name": "Mine"}, format="json", QUERY_STRING="dry_run=1"
        )

        assert_invalid(
            response,
            {"dry_run": ["Unknown query parameter; use format, ordering, page, page_size."]},
        )
        site.refresh_from_db()
        assert site.name == "Example"

    def test_partial_update_by_viewer_forbidden(self, api_client, site, viewer):
        api_client.force_authenticate(viewer)

        response = api_client.patch(site_url(site), {"name": "Mine now"}, format="json")

        body = assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
        assert body["error"] == "Your role on this site does not allow this."
        site.refresh_from_db()
        assert site.name == "Example"

    def test_partial_update_by_stranger_not_found(self, api_client, site, stranger):
        api_client.force_authenticate(stranger)

        response = api_client.patch(site_url(site), {"name": "Mine now"}, format="json")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        site.refresh_from_db()
        assert site.name == "Example"

    def test_partial_update_unauthenticated(self, api_client, site):
        response = api_client.patch(site_url(site), {"name": "Mine now"}, format="json")

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")
        site.refresh_from_db()
        assert site.name == "Example"

    def test_update_put_not_allowed(self, api_client, owner, site):
        api_client.force_authenticate(owner)

        response = api_client.put(
            site_url(site), {"domain": "example.com", "name": "Put"}, format="json"
        )

        assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")
        site.refresh_from_db()
        assert site.name == "Example"


class SiteViewSetDestroyTest:
    def test_destroy_by_owner(self, api_client, owner, site, admin, viewer):
        api_client.force_authenticate(owner)

        response = api_client.delete(site_url(site))

        assert response.status_code == HTTPStatus.NO_CONTENT
        assert response.content == b""
        assert not Site.objects.filter(pk=site.pk).exists()
        assert not Membership.objects.filter(site_id=site.pk).exists()

    @pytest.mark.parametrize("role", ["admin", "viewer"])
    def test_destroy_by_member_forbidden(self, api_client, site, users, role):
        api_client.force_authenticate(users[role])

        response = api_client.delete(site_url(site))

        body = assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
        assert body["error"] == "Your role on this site does not allow this."
        assert Site.objects.filter(pk=site.pk).exists()
        assert Membership.objects.filter(site=site, user=users[role]).exists()

    def test_destroy_by_stranger_not_found(self, api_client, site, stranger):
        api_client.force_authenticate(stranger)

        response = api_client.delete(site_url(site))

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert Site.objects.filter(pk=site.pk).exists()

    def test_destroy_unauthenticated(self, api_client, site):
        response = api_client.delete(site_url(site))

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")
        assert Site.objects.filter(pk=site.pk).exists()


class MemberViewSetListTest:
    @pytest.mark.parametrize("role", ["owner", "admin", "viewer"])
    def test_list_by_member(self, api_client, site, users, role):
        admin = baker.make("accounts.User", email="ann@example.com", name="Ann")
        viewer = baker.make("accounts.User", email="bob@example.com", name="Bob")
        baker.make(Membership, site=site, user=viewer, role=Role.VIEWER, created_at=NOW)
        baker.make(
            Membership, site=site, user=admin, role=Role.ADMIN, created_at=NOW - timedelta(hours=1)
        )
        api_client.force_authenticate(users[role])

        response = api_client.get(members_url(site))

        assert response.status_code == HTTPStatus.OK
        results = response.json()["results"]
        assert results[:2] == [
            {
                "user_id": admin.pk,
                "email": "ann@example.com",
                "name": "Ann",
                "role": "admin",
                "created_at": "2026-03-04T04:06:07Z",
            },
            {
                "user_id": viewer.pk,
                "email": "bob@example.com",
                "name": "Bob",
                "role": "viewer",
                "created_at": "2026-03-04T05:06:07Z",
            },
        ]
        assert {item["email"] for item in results[2:]} == {
            "admin@example.com",
            "viewer@example.com",
        }

    def test_list_only_this_sites_members(self, api_client, owner, site, viewer):
        other_site = baker.make(Site, owner=owner, domain="other.example")
        member_of(other_site, Role.ADMIN, "elsewhere@example.com")
        api_client.force_authenticate(owner)

        response = api_client.get(members_url(site))

        assert response.status_code == HTTPStatus.OK
        assert [item["email"] for item in response.json()["results"]] == ["viewer@example.com"]

    def test_list_by_stranger_not_found(self, api_client, site, viewer, stranger):
        api_client.force_authenticate(stranger)

        response = api_client.get(members_url(site))

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert "viewer@example.com" not in response.content.decode()

    def test_list_unknown_parameter(self, api_client, owner, site):
        api_client.force_authenticate(owner)

        response = api_client.get(members_url(site), {"role": "admin"})

        assert_invalid(
            response, {"role": ["Unknown query parameter; use format, page, page_size."]}
        )

    def test_list_nonexistent_site_not_found(self, api_client, owner):
        api_client.force_authenticate(owner)

        response = api_client.get(f"{SITES_URL}999999/members/")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")

    def test_list_unauthenticated(self, api_client, site):
        response = api_client.get(members_url(site))

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")

    def test_schema_describes_members(self, api_client):
        response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

        assert response.status_code == HTTPStatus.OK
        paths = response.json()["paths"]
        assert set(paths["/api/sites/{site_pk}/members/"]) >= {"get", "post"}
        assert set(paths["/api/sites/{site_pk}/members/{user_id}/"]) >= {"patch", "delete"}


class MemberViewSetCreateTest:
    def test_create_unknown_field(self, api_client, owner, site, stranger):
        api_client.force_authenticate(owner)

        response = api_client.post(
            members_url(site), {"email": stranger.email, "role": "viewer", "notify": True}
        )

        assert_invalid(response, {"notify": ["Unknown field; use email, role."]})
        assert not Membership.objects.filter(user=stranger).exists()

    def test_create_throttled_per_user(self, api_client, owner, site, stranger):
        api_client.force_authenticate(owner)
        for _ in range(60):
            api_client.post(members_url(site), {"email": "nobody@example.com", "role": "viewer"})

        response = api_client.post(members_url(site), {"email": stranger.email, "role": "viewer"})

        assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "throttled")
        assert int(response["Retry-After"]) > 0
        assert not Membership.objects.filter(user=stranger).exists()

    def test_create_throttle_counts_each_user_apart(self, api_client, owner, admin, site):
        api_client.force_authenticate(owner)
        for _ in range(61):
            api_client.post(members_url(site), {"email": "nobody@example.com", "role": "viewer"})
        api_client.force_authenticate(admin)

        response = api_client.post(
            members_url(site), {"email": "nobody@example.com", "role": "viewer"}
        )

        assert_invalid(response, {"email": ["No registered user has this email."]})

    def test_list_not_throttled_after_create_limit(self, api_client, owner, site):
        api_client.force_authenticate(owner)
        for _ in range(61):
            api_client.post(members_url(site), {"email": "nobody@example.com", "role": "viewer"})

        response = api_client.get(members_url(site))

        assert response.status_code == HTTPStatus.OK

    @pytest.mark.parametrize("role", ["owner", "admin"])
    def test_create_by_editor(self, api_client, site, users, role, time_machine):
        time_machine.move_to(NOW, tick=False)
        newcomer = baker.make("accounts.User", email="new@example.com", name="Nina")
        api_client.force_authenticate(users[role])

        response = api_client.post(
            members_url(site), {"email": "NEW@Example.COM", "role": "viewer"}, format="json"
        )

        assert response.status_code == HTTPStatus.CREATED
        assert response.json() == {
            "user_id": newcomer.pk,
            "email": "new@example.com",
            "name": "Nina",
            "role": "viewer",
            "created_at": "2026-03-04T05:06:07Z",
        }
        assert Membership.objects.get(site=site, user=newcomer).role == Role.VIEWER

    def test_create_existing_member_role_changed(self, api_client, owner, site, viewer):
        api_client.force_authenticate(owner)

        response = api_client.post(
            members_url(site), {"email": "viewer@example.com", "role": "admin"}, format="json"
        )

        assert response.status_code == HTTPStatus.CREATED
        assert response.json()["role"] == "admin"
        assert list(Membership.objects.filter(site=site, user=viewer).values_list("role")) == [
            ("admin",)
        ]

    def test_create_unknown_email(self, api_client, owner, site):
        api_client.force_authenticate(owner)

        response = api_client.post(
            members_url(site), {"email": "nobody@example.com", "role": "viewer"}, format="json"
        )

        assert_invalid(response, {"email": ["No registered user has this email."]})
        assert not Membership.objects.filter(site=site).exists()

    @pytest.mark.parametrize("email", ["owner@example.com", "Owner@Example.com"])
    def test_create_owner_refused(self, api_client, owner, site, admin, email):
        api_client.force_authenticate(admin)

        response = api_client.post(
            members_url(site), {"email": email, "role": "viewer"}, format="json"
        )

        assert_invalid(
            response, {"non_field_errors": ["The owner already has every right on the site."]}
        )
        assert not Membership.objects.filter(site=site, user=owner).exists()

    @pytest.mark.parametrize("role", ["owner", "editor", ""])
    def test_create_invalid_role(self, api_client, owner, site, stranger, role):
        api_client.force_authenticate(owner)

        response = api_client.post(
            members_url(site), {"email": stranger.email, "role": role}, format="json"
        )

        assert_invalid(response, {"role": [f'"{role}" is not a valid choice.']})
        assert not Membership.objects.filter(site=site, user=stranger).exists()

    def test_create_missing_fields(self, api_client, owner, site):
        api_client.force_authenticate(owner)

        response = api_client.post(members_url(site), {}, format="json")

        assert_invalid(
            response, {"email": ["This field is required."], "role": ["This field is required."]}
        )

    def test_create_invalid_email(self, api_client, owner, site):
        api_client.force_authenticate(owner)

        response = api_client.post(
            members_url(site), {"email": "not-an-email", "role": "viewer"}, format="json"
        )

        assert_invalid(response, {"email": ["Enter a valid email address."]})

    def test_create_by_viewer_forbidden(self, api_client, site, viewer, stranger):
        api_client.force_authenticate(viewer)

        response = api_client.post(
            members_url(site), {"email": stranger.email, "role": "viewer"}, format="json"
        )

        body = assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
        assert body["error"] == "Only the owner and admins change a site's members."
        assert not Membership.objects.filter(site=site, user=stranger).exists()

    def test_create_viewer_promoting_self_forbidden(self, api_client, site, viewer):
        api_client.force_authenticate(viewer)

        response = api_client.post(
            members_url(site), {"email": viewer.email, "role": "admin"}, format="json"
        )

        assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
        assert Membership.objects.get(site=site, user=viewer).role == Role.VIEWER


class MemberViewSetPartialUpdateTest:
    @pytest.mark.parametrize("role", ["owner", "admin"])
    def test_partial_update_by_editor(self, api_client, site, viewer, users, role):
        api_client.force_authenticate(users[role])

        response = api_client.patch(member_url(site, viewer), {"role": "admin"}, format="json")

        assert response.status_code == HTTPStatus.OK
        body = response.json()
        assert body["user_id"] == viewer.pk
        assert body["email"] == "viewer@example.com"
        assert body["role"] == "admin"
        assert Membership.objects.get(site=site, user=viewer).role == Role.ADMIN

    def test_partial_update_invalid_role(self, api_client, owner, site, viewer):
        api_client.force_authenticate(owner)

        response = api_client.patch(member_url(site, viewer), {"role": "owner"}, format="json")

        assert_invalid(response, {"role": ['"owner" is not a valid choice.']})
        assert Membership.objects.get(site=site, user=viewer).role == Role.VIEWER

    def test_partial_update_read_only_email(self, api_client, owner, site, viewer):
        api_client.force_authenticate(owner)

        response = api_client.patch(
            member_url(site, viewer), {"role": "admin", "email": "eve@example.com"}, format="json"
        )

        assert_invalid(response, {"email": ["This field is read-only."]})
        assert Membership.objects.get(site=site, user=viewer).role == Role.VIEWER

    def test_partial_update_by_viewer_forbidden(self, api_client, site, admin, viewer):
        api_client.force_authenticate(viewer)

        response = api_client.patch(member_url(site, admin), {"role": "viewer"}, format="json")

        assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
        assert Membership.objects.get(site=site, user=admin).role == Role.ADMIN

    def test_partial_update_viewer_promoting_self_forbidden(self, api_client, site, viewer):
        api_client.force_authenticate(viewer)

        response = api_client.patch(member_url(site, viewer), {"role": "admin"}, format="json")

        assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
        assert Membership.objects.get(site=site, user=viewer).role == Role.VIEWER

    def test_partial_update_unknown_member_not_found(self, api_client, owner, site, stranger):
        api_client.force_authenticate(owner)

        response = api_client.patch(member_url(site, stranger), {"role": "admin"}, format="json")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert not Membership.objects.filter(site=site, user=stranger).exists()

    def test_partial_update_member_of_other_site_not_found(self, api_client, owner, site):
        other_site = baker.make(Site, owner=owner, domain="other.example")
        elsewhere = member_of(other_site, Role.VIEWER, "elsewhere@example.com")
        api_client.force_authenticate(owner)

        response = api_client.patch(member_url(site, elsewhere), {"role": "admin"}, format="json")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert Membership.objects.get(site=other_site, user=elsewhere).role == Role.VIEWER

    def test_partial_update_owner_not_found(self, api_client, owner, site, admin):
        api_client.force_authenticate(admin)

        response = api_client.patch(member_url(site, owner), {"role": "viewer"}, format="json")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert not Membership.objects.filter(site=site, user=owner).exists()

    def test_update_put_not_allowed(self, api_client, owner, site, viewer):
        api_client.force_authenticate(owner)

        response = api_client.put(member_url(site, viewer), {"role": "admin"}, format="json")

        assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")
        assert Membership.objects.get(site=site, user=viewer).role == Role.VIEWER


class MemberViewSetDestroyTest:
    @pytest.mark.parametrize("role", ["owner", "admin"])
    def test_destroy_by_editor(self, api_client, site, viewer, users, role):
        api_client.force_authenticate(users[role])

        response = api_client.delete(member_url(site, viewer))

        assert response.status_code == HTTPStatus.NO_CONTENT
        assert not Membership.objects.filter(site=site, user=viewer).exists()
        assert Site.objects.filter(pk=site.pk).exists()

    @pytest.mark.parametrize("role", ["admin", "viewer"])
    def test_destroy_self_leaving(self, api_client, site, users, role):
        api_client.force_authenticate(users[role])

        response = api_client.delete(member_url(site, users[role]))

        assert response.status_code == HTTPStatus.NO_CONTENT
        assert not Membership.objects.filter(site=site, user=users[role]).exists()

    def test_destroy_other_member_by_viewer_forbidden(self, api_client, site, admin, viewer):
        api_client.force_authenticate(viewer)

        response = api_client.delete(member_url(site, admin))

        body = assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
        assert body["error"] == "Only the owner and admins change a site's members."
        assert Membership.objects.filter(site=site, user=admin).exists()

    def test_destroy_unknown_member_not_found(self, api_client, owner, site, stranger):
        api_client.force_authenticate(owner)

        response = api_client.delete(member_url(site, stranger))

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")


class MemberViewSetStrangerTest:
    @pytest.mark.parametrize(
        ("method", "data"),
        [
            pytest.param("get", None, id="list"),
            pytest.param("post", {"email": "stranger@example.com", "role": "admin"}, id="create"),
        ],
    )
    def test_members_collection_by_stranger_not_found(
        self, api_client, site, viewer, stranger, method, data
    ):
        api_client.force_authenticate(stranger)

        response = getattr(api_client, method)(members_url(site), data, format="json")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert not Membership.objects.filter(site=site, user=stranger).exists()
        assert Membership.objects.get(site=site, user=viewer).role == Role.VIEWER

    @pytest.mark.parametrize(
        ("method", "data"),
        [
            pytest.param("patch", {"role": "admin"}, id="partial-update"),
            pytest.param("delete", None, id="destroy"),
        ],
    )
    def test_member_by_stranger_not_found(self, api_client, site, viewer, stranger, method, data):
        api_client.force_authenticate(stranger)

        response = getattr(api_client, method)(member_url(site, viewer), data, format="json")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert Membership.objects.get(site=site, user=viewer).role == Role.VIEWER

    def test_member_put_by_stranger_not_allowed(self, api_client, site, viewer, stranger):
        api_client.force_authenticate(stranger)

        response = api_client.put(member_url(site, viewer), {"role": "admin"}, format="json")

        # The method is refused before the site is looked up.
        assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed")
        assert response["Allow"] == "PATCH, DELETE, OPTIONS"
        assert Membership.objects.get(site=site, user=viewer).role == Role.VIEWER

    @pytest.mark.parametrize(
        ("method", "data"),
        [
            pytest.param("post", {"email": "viewer@example.com", "role": "admin"}, id="create"),
            pytest.param("patch", {"role": "admin"}, id="partial-update"),
            pytest.param("delete", None, id="destroy"),
        ],
    )
    def test_members_unauthenticated(self, api_client, site, viewer, method, data):
        url = members_url(site) if method == "post" else member_url(site, viewer)

        response = getattr(api_client, method)(url, data, format="json")

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")
        assert Membership.objects.get(site=site, user=viewer).role == Role.VIEWER

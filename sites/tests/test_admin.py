"""Django admin for sites and their members."""

from http import HTTPStatus

import pytest
from django.test import Client
from model_bakery import baker

from sites.models import Membership, Role, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client() -> Client:
    superuser = baker.make("accounts.User", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def membership() -> Membership:
    site = baker.make(Site, owner=baker.make("accounts.User"), domain="example.com")
    return baker.make(Membership, site=site, user=baker.make("accounts.User"), role=Role.VIEWER)


class SiteAdminTest:
    def test_changelist(self, superuser_client, membership):
        response = superuser_client.get("/admin/sites/site/")

        assert response.status_code == HTTPStatus.OK
        assert b"example.com" in response.content

    def test_changelist_search(self, superuser_client, membership):
        response = superuser_client.get(
            "/admin/sites/site/", {"q": "example", "public__exact": "0"}
        )

        assert response.status_code == HTTPStatus.OK
        assert b"example.com" in response.content

    def test_change(self, superuser_client, membership):
        response = superuser_client.get(f"/admin/sites/site/{membership.site.pk}/change/")

        assert response.status_code == HTTPStatus.OK
        assert b"example.com" in response.content

    def test_add(self, superuser_client):
        response = superuser_client.get("/admin/sites/site/add/")

        assert response.status_code == HTTPStatus.OK

    def test_add_post_normalises(self, superuser_client):
        owner = baker.make("accounts.User")

        response = superuser_client.post(
            "/admin/sites/site/add/",
            {
                "domain": "https://WWW.Example.com/",
                "timezone": "UTC",
                "owner": owner.pk,
                "excluded_ips": "10.1.2.3/8,203.0.113.7",
                "created_at_0": "2026-03-04",
                "created_at_1": "05:06:07",
                "memberships-TOTAL_FORMS": "0",
                "memberships-INITIAL_FORMS": "0",
            },
        )

        assert response.status_code == HTTPStatus.FOUND
        site = Site.objects.get(owner=owner)
        assert site.domain == "example.com"
        assert site.excluded_ips == ["10.0.0.0/8", "203.0.113.7/32"]


class MembershipAdminTest:
    def test_changelist(self, superuser_client, membership):
        response = superuser_client.get("/admin/sites/membership/")

        assert response.status_code == HTTPStatus.OK
        assert str(membership.user).encode() in response.content

    def test_changelist_search(self, superuser_client, membership):
        response = superuser_client.get(
            "/admin/sites/membership/", {"q": "example.com", "role": "viewer"}
        )

        assert response.status_code == HTTPStatus.OK
        assert str(membership.user).encode() in response.content

    def test_change(self, superuser_client, membership):
        response = superuser_client.get(f"/admin/sites/membership/{membership.pk}/change/")

        assert response.status_code == HTTPStatus.OK
        assert str(membership.user).encode() in response.content

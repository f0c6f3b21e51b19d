"""The Django admin pages for users and API keys."""

from http import HTTPStatus

import pytest
from django.test import Client
from model_bakery import baker

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(baker.make("accounts.User", is_staff=True, is_superuser=True))
    return client


class UserAdminTest:
    def test_changelist(self, admin_client):
        baker.make("accounts.User", email="ada@example.com")

        response = admin_client.get("/admin/accounts/user/")

        assert response.status_code == HTTPStatus.OK
        assert b"ada@example.com" in response.content

    def test_change_page(self, admin_client):
        user = baker.make("accounts.User")

        response = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")

        assert response.status_code == HTTPStatus.OK

    def test_add_page(self, admin_client):
        response = admin_client.get("/admin/accounts/user/add/")

        assert response.status_code == HTTPStatus.OK


class ApiKeyAdminTest:
    def test_changelist_shows_prefix(self, admin_client):
        baker.make("accounts.ApiKey", name="CI", prefix="tly_abcdefgh")

        response = admin_client.get("/admin/accounts/apikey/")

        assert response.status_code == HTTPStatus.OK
        assert b"tly_abcdefgh" in response.content

    def test_add_forbidden(self, admin_client):
        response = admin_client.get("/admin/accounts/apikey/add/")

        assert response.status_code == HTTPStatus.FORBIDDEN

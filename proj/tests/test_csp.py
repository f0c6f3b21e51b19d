"""The Content-Security-Policy header on pages, JSON and other responses."""

import re
from http import HTTPStatus

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from model_bakery import baker

from proj.csp import ContentSecurityPolicyMiddleware

STRICT = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
PAGE = (
    "default-src 'self'; script-src 'self'{nonce}; style-src 'self'{nonce}; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def nonce_of(response) -> str:
    (nonce,) = set(re.findall(r"'nonce-([^']+)'", response["Content-Security-Policy"]))
    return nonce


class ContentSecurityPolicyMiddlewareTest:
    def test_json_response_strict(self, api_client):
        response = api_client.get("/api/")

        assert response["Content-Security-Policy"] == STRICT

    def test_error_response_strict(self, api_client):
        response = api_client.get("/nowhere/")

        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response["Content-Security-Policy"] == STRICT

    def test_page_without_inline_code_has_no_nonce(self):
        response = Client().get("/admin/login/")

        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert response["Content-Security-Policy"] == PAGE.format(nonce="")

    def test_page_with_inline_code_names_its_nonce(self, api_client):
        response = api_client.get("/api/docs/")

        nonce = nonce_of(response)
        assert response["Content-Security-Policy"] == PAGE.format(nonce=f" 'nonce-{nonce}'")
        assert len(nonce) == 22

    def test_nonce_new_for_each_request(self, api_client):
        first, second = api_client.get("/api/docs/"), api_client.get("/api/docs/")

        assert nonce_of(first) != nonce_of(second)

    @pytest.mark.django_db
    def test_admin_pages(self):
        client = Client()
        client.force_login(baker.make("accounts.User", is_staff=True, is_superuser=True))

        response = client.get("/admin/accounts/user/")

        assert response.status_code == HTTPStatus.OK
        assert response["Content-Security-Policy"] == PAGE.format(nonce="")
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"

    def test_policy_set_by_view_kept(self):
        def view(request):
            response = HttpResponse("<p>hi</p>")
            response["Content-Security-Policy"] = "default-src 'self'"
            return response

        response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))

        assert response["Content-Security-Policy"] == "default-src 'self'"

    def test_response_without_content_type_strict(self):
        def view(request):
            response = HttpResponse(status=HTTPStatus.NO_CONTENT)
            del response["Content-Type"]
            return response

        response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))

        assert response["Content-Security-Policy"] == STRICT

"""Throttle keys: per client address and per account, never the raw address or email."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import salted_hmac
from model_bakery import baker
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.throttles import KEY_SALT, AccountThrottle, ClientThrottle

pytestmark = pytest.mark.django_db


class LoginLikeView:
    throttle_scope = "login"
    throttle_account = "email"


class PasswordLikeView:
    throttle_scope = "password"
    throttle_account = "user"


def drf_request(data, *, user=None, remote_addr="203.0.113.8") -> Request:
    raw = APIRequestFactory().post("/", data, format="json", REMOTE_ADDR=remote_addr)
    request = Request(raw, parsers=[JSONParser()])
    request.user = user or AnonymousUser()
    return request


def hashed(ident: str) -> str:
    return salted_hmac(
        KEY_SALT, ident.encode("utf-8", "surrogatepass"), algorithm="sha256"
    ).hexdigest()


def allowed(throttle_class, requests: list[Request], view=None) -> list[bool]:
    """Return whether each request in turn passes a fresh throttle of the class."""
    view = view or LoginLikeView()
    return [throttle_class().allow_request(request, view) for request in requests]


def cache_key(throttle, request, view=None):
    view = view or LoginLikeView()
    throttle.allow_request(request, view)
    return throttle.get_cache_key(request, view)


class AccountThrottleTest:
    def test_get_cache_key_hashes_email_ignoring_case(self):
        key = cache_key(AccountThrottle(), drf_request({"email": " Ada@Example.com "}))

        assert key == "throttle_login_account_" + hashed("ada@example.com")

    @pytest.mark.parametrize("data", [{}, {"email": ""}, {"email": 7}, ["ada@example.com"]])
    def test_get_cache_key_without_usable_email(self, data):
        assert cache_key(AccountThrottle(), drf_request(data)) is None

    def test_get_cache_key_signed_in_caller_counts_against_body_email(self):
        user = baker.make("accounts.User", email="attacker@example.com")

        key = cache_key(AccountThrottle(), drf_request({"email": "ada@example.com"}, user=user))

        assert key == "throttle_login_account_" + hashed("ada@example.com")

    def test_get_cache_key_lone_surrogate(self):
        raw = APIRequestFactory().post(
            "/", '{"email": "\\ud800@example.com"}', content_type="application/json"
        )
        request = Request(raw, parsers=[JSONParser()])
        request.user = AnonymousUser()

        key = cache_key(AccountThrottle(), request)

        assert key == "throttle_login_account_" + hashed("\ud800@example.com")

    def test_get_cache_key_user_view_ignores_body_email(self):
        user = baker.make("accounts.User", email="ada@example.com")
        request = drf_request({"email": "someone@example.com"}, user=user)

        key = cache_key(AccountThrottle(), request, PasswordLikeView())

        assert key == "throttle_password_account_" + hashed("ada@example.com")

    def test_allow_request_account_over_rate(self):
        requests = [
            drf_request({"email": "ada@example.com"}, remote_addr=f"203.0.113.{n}")
            for n in range(11)
        ]

        results = allowed(AccountThrottle, requests)

        # login_account is 10/hour: the 11th guess is refused, whatever its address.
        assert results == [True] * 10 + [False]

    def test_allow_request_other_account_not_counted(self):
        allowed(AccountThrottle, [drf_request({"email": "ada@example.com"})] * 10)

        results = allowed(AccountThrottle, [drf_request({"email": "grace@example.com"})])

        assert results == [True]

    def test_allow_request_wait_after_refusal(self):
        throttle = AccountThrottle()
        request = drf_request({"email": "ada@example.com"})
        for _ in range(10):
            throttle.allow_request(request, LoginLikeView())

        refused = not throttle.allow_request(request, LoginLikeView())

        assert refused
        assert 3590 < throttle.wait() <= 3600

    def test_allow_request_user_view_rate(self):
        user = baker.make("accounts.User", email="ada@example.com")

        results = allowed(AccountThrottle, [drf_request({}, user=user)] * 11, PasswordLikeView())

        assert results == [True] * 10 + [False]


class ClientThrottleTest:
    def test_allow_request_client_over_rate(self):
        requests = [drf_request({"email": f"user{n}@example.com"}) for n in range(31)]

        results = allowed(ClientThrottle, requests)

        # login_client is 30/min: the 31st request from one address is refused.
        assert results == [True] * 30 + [False]

    def test_allow_request_other_client_not_counted(self):
        allowed(ClientThrottle, [drf_request({}, remote_addr="203.0.113.8")] * 30)

        results = allowed(ClientThrottle, [drf_request({}, remote_addr="203.0.113.9")])

        assert results == [True]

    def test_get_cache_key_client_address(self):
        key = cache_key(ClientThrottle(), drf_request({}, remote_addr="203.0.113.8"))

        assert key == "throttle_login_client_" + hashed("203.0.113.8")

    def test_get_cache_key_depends_on_secret_key(self, settings):
        key = cache_key(ClientThrottle(), drf_request({}))
        settings.SECRET_KEY = "another-secret-key-of-enough-length-for-django-0123456789"

        assert cache_key(ClientThrottle(), drf_request({})) != key

"""Throttle keys and sign-in limits: per client address, per account, per device cookie."""

import hashlib
import json
from http import HTTPStatus

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.crypto import salted_hmac
from model_bakery import baker
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle

from accounts.throttles import (
    DEVICE_COOKIE,
    KEY_SALT,
    AccountThrottle,
    ClientThrottle,
    SignInAttempt,
    Window,
    device_nonce,
    issue_device_cookie,
    locked,
    throttled_response,
)

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


class WindowTest:
    def test_wait_below_limit(self):
        window = Window(scope="login_account", ident="ada@example.com")
        for _ in range(9):
            window.add(now=1000.0)

        assert window.wait(now=1000.0) is None

    def test_wait_at_limit_until_oldest_counted_event_expires(self):
        window = Window(scope="login_account", ident="ada@example.com")
        for at in range(1000, 1010):
            window.add(now=float(at))

        assert window.wait(now=1100.0) == 3500.0

    def test_wait_ends_when_duration_passed(self):
        window = Window(scope="login_client", ident="203.0.113.8")
        for _ in range(30):
            window.add(now=1000.0)

        assert window.wait(now=1059.5) == 0.5
        assert window.wait(now=1060.0) is None

    def test_add_keeps_newest_events_up_to_limit(self):
        window = Window(scope="login_device", ident="nonce")
        for at in range(1000, 1007):
            window.add(now=float(at))

        assert cache.get(window.key) == [1006.0, 1005.0, 1004.0, 1003.0, 1002.0]

    @pytest.mark.parametrize(
        ("rate", "duration"),
        [("3/s", 1), ("3/min", 60), ("3/hour", 60 * 60), ("3/day", 24 * 60 * 60)],
    )
    def test_duration_of_rate_period(self, settings, rate, duration):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"login_account": rate},
        }

        window = Window(scope="login_account", ident="ada@example.com")

        assert (window.limit, window.duration) == (3, duration)

    def test_key_hashes_ident(self):
        window = Window(scope="login_device", ident="nonce")

        assert window.key == "throttle_login_device_" + hashed("nonce")


def signed_in_request(cookie: str | None = None, *, remote_addr: str = "203.0.113.8"):
    request = RequestFactory().post("/", REMOTE_ADDR=remote_addr)
    if cookie is not None:
        request.COOKIES[DEVICE_COOKIE] = cookie
    return request


def device_cookie(user) -> str:
    response = HttpResponse()
    issue_device_cookie(response, user=user)
    return response.cookies[DEVICE_COOKIE].value


class IssueDeviceCookieTest:
    def test_issue_device_cookie_name(self):
        response = HttpResponse()

        issue_device_cookie(response, user=baker.make("accounts.User"))

        assert list(response.cookies) == ["tally_device"]


class DeviceNonceTest:
    def test_device_nonce_of_valid_cookie(self):
        user = baker.make("accounts.User", email="ada@example.com")
        cookie = device_cookie(user)

        nonce = device_nonce(signed_in_request(cookie), email="ADA@example.com")

        assert nonce == signing.loads(cookie, salt="tally.device")["nonce"]

    @pytest.mark.parametrize("cookie", [None, "", "garbage", "a:b:c"])
    def test_device_nonce_without_valid_cookie(self, cookie):
        baker.make("accounts.User", email="ada@example.com")

        assert device_nonce(signed_in_request(cookie), email="ada@example.com") is None

    def test_device_nonce_signed_with_other_salt(self):
        user = baker.make("accounts.User", email="ada@example.com")
        cookie = signing.dumps({"user": user.pk, "nonce": "n"}, salt="tally.other")

        assert device_nonce(signed_in_request(cookie), email="ada@example.com") is None

    def test_device_nonce_unknown_email(self):
        cookie = device_cookie(baker.make("accounts.User", email="ada@example.com"))

        assert device_nonce(signed_in_request(cookie), email="nobody@example.com") is None


class SignInAttemptTest:
    def test_wait_is_the_longer_of_client_and_account(self):
        for number in range(30):
            SignInAttempt(signed_in_request(), email=f"u{number}@example.com", now=1000.0).wait()
        for _ in range(10):
            SignInAttempt(
                signed_in_request(remote_addr="198.51.100.1"), email="ada@example.com", now=1000.0
            ).wait()

        attempt = SignInAttempt(signed_in_request(), email="ada@example.com", now=1010.0)

        assert attempt.wait() == 3590.0

    def test_wait_refused_attempt_not_counted(self):
        client = Window(scope="login_client", ident="203.0.113.8")
        for _ in range(30):
            client.add(now=1000.0)

        SignInAttempt(signed_in_request(), email="ada@example.com", now=1059.0).wait()

        assert client.wait(now=1060.0) is None

    def test_failed_counts_against_device_not_account(self):
        user = baker.make("accounts.User", email="ada@example.com")
        attempt = SignInAttempt(
            signed_in_request(device_cookie(user)), email="ada@example.com", now=1000.0
        )

        attempt.wait()
        attempt.failed()

        assert attempt.trusted is True
        assert cache.get(Window(scope="login_account", ident="ada@example.com").key) is None
        assert cache.get(attempt.failures.key) == [1000.0]

    def test_failed_counts_against_account_ignoring_case(self):
        attempt = SignInAttempt(signed_in_request(), email=" Ada@Example.com", now=1000.0)

        attempt.wait()
        attempt.failed()

        assert attempt.trusted is False
        assert cache.get(Window(scope="login_account", ident="ada@example.com").key) == [1000.0]


class ThrottledResponseTest:
    def test_throttled_response(self):
        request = RequestFactory().post("/admin/login/", HTTP_X_REQUEST_ID="req-12345678")

        response = throttled_response(request, wait=59.2)

        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert response["Content-Type"] == "application/json"
        assert response["Retry-After"] == "60"
        assert json.loads(response.content) == {
            "error": "Request was throttled. Expected available in 60 seconds.",
            "code": "throttled",
            "request_id": "req-12345678",
        }


class WindowRateTest:
    def test_rate_read_by_drf(self, monkeypatch):
        parsed = []

        def parse_rate(throttle, rate):
            parsed.append(rate)
            return 3, 7

        monkeypatch.setattr(SimpleRateThrottle, "parse_rate", parse_rate)

        window = Window(scope="login_device", ident="nonce")

        assert parsed == ["5/hour"]
        assert (window.limit, window.duration) == (3, 7)


class WindowLockTest:
    def test_lock_id_signed_64_bit_hash_of_key(self):
        window = Window(scope="login_device", ident="nonce")
        digest = hashlib.blake2b(window.key.encode(), digest_size=8).digest()

        assert window.lock_id == int.from_bytes(digest, "big", signed=True)

    def test_lock_id_differs_by_scope(self):
        device = Window(scope="login_device", ident="ada@example.com")
        account = Window(scope="login_account", ident="ada@example.com")

        assert device.lock_id != account.lock_id

    def test_locked_holds_advisory_locks_of_every_window(self):
        windows = [
            Window(scope="login_client", ident="203.0.113.8"),
            Window(scope="login_account", ident="ada@example.com"),
        ]

        with locked(*windows), connection.cursor() as cursor:
            cursor.execute(
                "SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks"
                " WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
            )
            held = {lock_id for (lock_id,) in cursor.fetchall()}

        assert {window.lock_id for window in windows} <= held

    def test_take_back_forgets_one_event(self):
        window = Window(scope="login_device", ident="nonce")
        for at in (1000.0, 1001.0, 1001.0):
            window.add(now=at)

        window.take_back(now=1001.0)

        assert cache.get(window.key) == [1001.0, 1000.0]

    def test_take_back_nothing_counted(self):
        window = Window(scope="login_device", ident="nonce")
        window.add(now=1000.0)

        window.take_back(now=1001.0)

        assert cache.get(window.key) == [1000.0]


class SignInAttemptCountTest:
    def test_wait_counts_failure_before_password_check(self):
        attempt = SignInAttempt(signed_in_request(), email="ada@example.com", now=1000.0)

        assert attempt.wait() is None

        assert cache.get(attempt.failures.key) == [1000.0]
        assert cache.get(attempt.client.key) == [1000.0]

    def test_succeeded_takes_failure_back(self):
        user = baker.make("accounts.User", email="ada@example.com")
        SignInAttempt(signed_in_request(), email="ada@example.com", now=999.0).wait()
        attempt = SignInAttempt(signed_in_request(), email="ada@example.com", now=1000.0)
        attempt.wait()

        attempt.succeeded(HttpResponse(), user=user)

        assert cache.get(attempt.failures.key) == [999.0]
        assert cache.get(attempt.client.key) == [1000.0, 999.0]

    def test_failed_logs_without_counting_again(self):
        attempt = SignInAttempt(signed_in_request(), email="ada@example.com", now=1000.0)
        attempt.wait()

        attempt.failed()

        assert cache.get(attempt.failures.key) == [1000.0]

    def test_failed_email_with_nul(self, caplog):
        attempt = SignInAttempt(signed_in_request(), email="ada\x00@example.com", now=1000.0)
        attempt.wait()

        attempt.failed()

        (event,) = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
        assert (event["event"], event["user_id"], event["trusted_device"]) == (
            "login_failed",
            None,
            False,
        )


class DeviceNonceNulTest:
    def test_device_nonce_email_with_nul(self):
        cookie = device_cookie(baker.make("accounts.User", email="ada@example.com"))

        assert device_nonce(signed_in_request(cookie), email="ada\x00@example.com") is None

"""The account endpoints under /api/accounts/."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test import Client
from model_bakery import baker
from rest_framework.test import APIClient

from accounts.models import ApiKey, User
from accounts.throttles import DEVICE_COOKIE
from proj.tests.errors import assert_error, assert_invalid

pytestmark = pytest.mark.django_db

PASSWORD = "plum-orchard-42-velvet"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def user():
    return User.objects.create_user("ada@example.com", PASSWORD, name="Ada")


def log_events(caplog, event):
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg["event"] == event]


class RegisterViewTest:
    def test_register_creates_user_and_signs_in(self, api_client):
        response = api_client.post(
            "/api/accounts/register/",
            {"email": "grace@example.com", "password": PASSWORD, "name": "Grace"},
            format="json",
        )

        assert response.status_code == HTTPStatus.CREATED
        body = response.json()
        assert body["email"] == "grace@example.com"
        assert body["name"] == "Grace"
        assert "password" not in body
        user = User.objects.get(pk=body["id"])
        assert user.check_password(PASSWORD)
        assert api_client.get("/api/accounts/me/").json()["id"] == user.pk

    def test_register_name_optional(self, api_client):
        response = api_client.post(
            "/api/accounts/register/", {"email": "g@example.com", "password": PASSWORD}
        )

        assert response.status_code == HTTPStatus.CREATED
        assert response.json()["name"] == ""

    def test_register_trusts_device(self, api_client):
        response = api_client.post(
            "/api/accounts/register/", {"email": "g@example.com", "password": PASSWORD}
        )

        device = signing.loads(response.cookies[DEVICE_COOKIE].value, salt="tally.device")
        assert device["user"] == response.json()["id"]

    def test_register_email_taken_in_other_case(self, api_client, user):
        response = api_client.post(
            "/api/accounts/register/", {"email": "ADA@example.com", "password": PASSWORD}
        )

        assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert response.json()["details"] == {"email": ["A user with this email already exists."]}

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("short1", "This password is too short. It must contain at least 8 characters."),
            ("password123", "This password is too common."),
            ("8461937250", "This password is entirely numeric."),
            ("grace@example.com", "The password is too similar to the email."),
        ],
    )
    def test_register_weak_password(self, api_client, password, message):
        response = api_client.post(
            "/api/accounts/register/", {"email": "grace@example.com", "password": password}
        )

        assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert message in response.json()["details"]["password"]
        assert not User.objects.filter(email="grace@example.com").exists()

    def test_register_missing_fields(self, api_client):
        response = api_client.post("/api/accounts/register/", {}, format="json")

        assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert set(response.json()["details"]) == {"email", "password"}

    def test_register_invalid_email(self, api_client):
        response = api_client.post(
            "/api/accounts/register/", {"email": "not-an-email", "password": PASSWORD}
        )

        assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert "email" in response.json()["details"]

    def test_register_without_csrf_token(self):
        client = APIClient(enforce_csrf_checks=True)

        response = client.post(
            "/api/accounts/register/", {"email": "g@example.com", "password": PASSWORD}
        )

        assert_error(response, HTTPStatus.FORBIDDEN, "csrf_failed")
        assert response.json()["code"] == "csrf_failed"
        assert not User.objects.filter(email="g@example.com").exists()

    def test_register_with_csrf_token(self):
        client = APIClient(enforce_csrf_checks=True)
        token = client.get("/api/accounts/csrf/").json()["csrf_token"]

        response = client.post(
            "/api/accounts/register/",
            {"email": "g@example.com", "password": PASSWORD},
            HTTP_X_CSRFTOKEN=token,
        )

        assert response.status_code == HTTPStatus.CREATED

    def test_register_throttled_per_account(self, api_client, user):
        for _ in range(5):
            api_client.post("/api/accounts/register/", {"email": user.email, "password": "x"})

        response = api_client.post(
            "/api/accounts/register/", {"email": user.email, "password": "x"}
        )

        assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "throttled")
        assert response.json()["code"] == "throttled"
        assert int(response["Retry-After"]) > 0

    def test_register_email_with_nul(self, api_client):
        response = api_client.post(
            "/api/accounts/register/",
            {"email": "ada\x00@example.com", "password": PASSWORD},
            format="json",
        )

        assert_invalid(
            response,
            {"email": ["Null characters are not allowed.", "Enter a valid email address."]},
        )
        assert not User.objects.exists()


class LoginViewTest:
    def test_login_unknown_field(self, api_client, user):
        response = api_client.post(
            "/api/accounts/login/",
            {"email": "ada@example.com", "password": PASSWORD, "remember": True},
            format="json",
        )

        assert_invalid(response, {"remember": ["Unknown field; use email, password."]})
        assert "_auth_user_id" not in api_client.session

    def test_login_starts_session(self, api_client, user):
        response = api_client.post(
            "/api/accounts/login/", {"email": "ADA@example.com", "password": PASSWORD}
        )

        assert response.status_code == HTTPStatus.OK
        assert response.json()["id"] == user.pk
        assert api_client.get("/api/accounts/me/").status_code == HTTPStatus.OK

    def test_login_wrong_password(self, api_client, user):
        response = api_client.post(
            "/api/accounts/login/", {"email": user.email, "password": "wrong-password"}
        )

        assert_error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")
        assert response.json()["error"] == "Invalid email or password."
        assert api_client.get("/api/accounts/me/").status_code == HTTPStatus.UNAUTHORIZED

    def test_login_unknown_email_same_answer(self, api_client, user):
        wrong_password = api_client.post(
            "/api/accounts/login/", {"email": user.email, "password": "wrong-password"}
        )

        unknown_email = api_client.post(
            "/api/accounts/login/", {"email": "nobody@example.com", "password": "wrong-password"}
        )

        assert unknown_email.status_code == wrong_password.status_code
        assert unknown_email.json()["error"] == wrong_password.json()["error"]
        assert unknown_email.json()["code"] == wrong_password.json()["code"]

    def test_login_inactive_user(self, api_client, user):
        User.objects.filter(pk=user.pk).update(is_active=False)

        response = api_client.post(
            "/api/accounts/login/", {"email": user.email, "password": PASSWORD}
        )

        assert_error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")

    def test_login_failure_logged_without_secrets(self, api_client, user, caplog):
        api_client.post(
            "/api/accounts/login/",
            {"email": user.email, "password": "wrong-password"},
            REMOTE_ADDR="203.0.113.5",
        )

        (event,) = log_events(caplog, "login_failed")
        assert event["user_id"] == user.pk
        logged = " ".join(str(r.msg) for r in caplog.records)
        assert "wrong-password" not in logged
        assert "203.0.113.5" not in logged
        assert user.email not in logged

    def test_login_unknown_email_logged_without_user(self, api_client, caplog):
        api_client.post(
            "/api/accounts/login/", {"email": "nobody@example.com", "password": "wrong-password"}
        )

        (event,) = log_events(caplog, "login_failed")
        assert event["user_id"] is None

    def test_login_ignores_next(self, api_client, user):
        response = api_client.post(
            "/api/accounts/login/?next=https://evil.example/",
            {"email": user.email, "password": PASSWORD},
        )

        assert response.status_code == HTTPStatus.OK
        assert "Location" not in response

    def test_login_next_in_body_refused(self, api_client, user):
        response = api_client.post(
            "/api/accounts/login/",
            {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"},
        )

        assert_invalid(response, {"next": ["Unknown field; use email, password."]})
        assert "Location" not in response

    def test_login_rotates_session_key(self, api_client, user):
        before = api_client.session.session_key

        api_client.post("/api/accounts/login/", {"email": user.email, "password": PASSWORD})

        assert api_client.cookies["sessionid"].value != before

    def test_login_missing_password(self, api_client):
        response = api_client.post("/api/accounts/login/", {"email": "ada@example.com"})

        assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert response.json()["details"] == {"password": ["This field is required."]}

    def test_login_throttled_per_account(self, api_client, user):
        for _ in range(10):
            api_client.post("/api/accounts/login/", {"email": user.email, "password": "wrong"})

        response = api_client.post(
            "/api/accounts/login/", {"email": user.email.upper(), "password": PASSWORD}
        )

        assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "throttled")
        assert int(response["Retry-After"]) > 0

    def test_login_throttled_per_account_for_signed_in_caller(self, api_client, user):
        for _ in range(10):
            api_client.post("/api/accounts/login/", {"email": user.email, "password": "wrong"})
        attacker = baker.make("accounts.User", email="mallory@example.com")
        api_client.force_login(attacker)

        response = api_client.post(
            "/api/accounts/login/",
            {"email": user.email, "password": PASSWORD},
            REMOTE_ADDR="198.51.100.7",
        )

        assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "throttled")

    def test_login_throttled_per_client(self, api_client):
        for number in range(30):
            api_client.post(
                "/api/accounts/login/", {"email": f"u{number}@example.com", "password": "wrong"}
            )

        response = api_client.post(
            "/api/accounts/login/", {"email": "fresh@example.com", "password": "wrong"}
        )

        assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "throttled")

    def test_login_other_client_not_throttled(self, api_client):
        for number in range(30):
            api_client.post(
                "/api/accounts/login/",
                {"email": f"u{number}@example.com", "password": "wrong"},
                REMOTE_ADDR="203.0.113.1",
            )

        response = api_client.post(
            "/api/accounts/login/",
            {"email": "fresh@example.com", "password": "wrong"},
            REMOTE_ADDR="203.0.113.2",
        )

        assert_error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")

    def test_login_malformed_json(self, api_client):
        response = api_client.post("/api/accounts/login/", "{oops", content_type="application/json")

        assert_error(response, HTTPStatus.BAD_REQUEST, "parse_error")
        assert response.json()["code"] == "parse_error"

    def test_login_body_not_an_object(self, api_client):
        response = api_client.post("/api/accounts/login/", [1, 2], format="json")

        assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert response.json()["code"] == "invalid"

    def test_login_email_with_nul(self, api_client, user):
        response = api_client.post(
            "/api/accounts/login/",
            {"email": "ada\x00@example.com", "password": PASSWORD},
            format="json",
        )

        assert_invalid(
            response,
            {"email": ["Null characters are not allowed.", "Enter a valid email address."]},
        )

    def test_login_email_with_nul_from_trusted_device(self, user):
        client = trusted_client(user)

        response = client.post(
            "/api/accounts/login/",
            {"email": "ada\x00@example.com", "password": PASSWORD},
            format="json",
        )

        assert_invalid(
            response,
            {"email": ["Null characters are not allowed.", "Enter a valid email address."]},
        )


def sign_in(client, email: str, password: str, **extra):
    return client.post("/api/accounts/login/", {"email": email, "password": password}, **extra)


def trusted_client(user: User) -> APIClient:
    """Return a client that has signed in to the user's account, so holds a device cookie."""
    client = APIClient()
    assert sign_in(client, user.email, PASSWORD).status_code == HTTPStatus.OK
    return client


def lock_account(email: str) -> None:
    """Fail ten times from ten addresses, without a device cookie."""
    for number in range(10):
        response = sign_in(APIClient(), email, "wrong", REMOTE_ADDR=f"198.51.100.{number}")
        assert response.status_code == HTTPStatus.UNAUTHORIZED


def assert_locked_for_an_hour(response) -> None:
    body = assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "throttled")
    assert body["error"] == "Request was throttled. Expected available in 3600 seconds."
    assert response["Retry-After"] == "3600"


class LoginDeviceCookieTest:
    @pytest.fixture(autouse=True)
    def _frozen(self, time_machine):
        time_machine.move_to(NOW, tick=False)

    def test_login_sets_device_cookie(self, api_client, user):
        response = sign_in(api_client, user.email, PASSWORD)

        cookie = response.cookies[DEVICE_COOKIE]
        device = signing.loads(cookie.value, salt="tally.device")
        assert device["user"] == user.pk
        assert len(device["nonce"]) == 22
        assert cookie["max-age"] == 365 * 24 * 60 * 60
        assert cookie["httponly"] is True
        assert cookie["secure"] == ""
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"

    def test_login_device_cookie_like_session_cookie(self, api_client, user, settings):
        settings.SESSION_COOKIE_SECURE = True
        settings.SESSION_COOKIE_SAMESITE = "None"

        response = sign_in(api_client, user.email, PASSWORD)

        assert response.cookies[DEVICE_COOKIE]["secure"] is True
        assert response.cookies[DEVICE_COOKIE]["samesite"] == "None"

    def test_login_device_cookie_renewed_with_new_nonce(self, user):
        client = trusted_client(user)
        before = signing.loads(client.cookies[DEVICE_COOKIE].value, salt="tally.device")

        response = sign_in(client, user.email, PASSWORD)

        after = signing.loads(response.cookies[DEVICE_COOKIE].value, salt="tally.device")
        assert after["nonce"] != before["nonce"]

    def test_login_failure_sets_no_device_cookie(self, api_client, user):
        response = sign_in(api_client, user.email, "wrong")

        assert DEVICE_COOKIE not in response.cookies

    def test_login_account_locked_for_untrusted_client(self, user):
        lock_account(user.email)

        response = sign_in(APIClient(), user.email, PASSWORD, REMOTE_ADDR="203.0.113.9")

        assert_locked_for_an_hour(response)

    def test_login_trusted_device_passes_account_lock(self, user):
        owner = trusted_client(user)
        lock_account(user.email)

        response = sign_in(owner, user.email, PASSWORD)

        assert response.status_code == HTTPStatus.OK
        assert response.json()["id"] == user.pk

    def test_login_trusted_device_locked_after_five_failures(self, user):
        owner = trusted_client(user)
        failures = [sign_in(owner, user.email, "wrong").status_code for _ in range(5)]

        response = sign_in(owner, user.email, PASSWORD)

        assert failures == [HTTPStatus.UNAUTHORIZED] * 5
        assert_locked_for_an_hour(response)

    def test_login_trusted_device_failures_spare_account(self, user):
        for device in (trusted_client(user), trusted_client(user)):
            for _ in range(5):
                sign_in(device, user.email, "wrong")

        response = sign_in(APIClient(), user.email, PASSWORD, REMOTE_ADDR="203.0.113.9")

        assert response.status_code == HTTPStatus.OK

    def test_login_device_lock_spares_other_devices(self, user):
        guesser, owner = trusted_client(user), trusted_client(user)
        for _ in range(5):
            sign_in(guesser, user.email, "wrong")

        response = sign_in(owner, user.email, PASSWORD)

        assert response.status_code == HTTPStatus.OK

    def test_login_device_cookie_of_other_account_untrusted(self, user):
        other = User.objects.create_user("grace@example.com", PASSWORD)
        client = trusted_client(other)
        lock_account(user.email)

        response = sign_in(client, user.email, PASSWORD)

        assert_locked_for_an_hour(response)

    def test_login_tampered_device_cookie_untrusted(self, user):
        other = User.objects.create_user("grace@example.com", PASSWORD)
        client = trusted_client(other)
        _, timestamp, signature = client.cookies[DEVICE_COOKIE].value.split(":")
        forged = signing.b64_encode(f'{{"user":{user.pk},"nonce":"forged"}}'.encode()).decode()
        client.cookies[DEVICE_COOKIE] = f"{forged}:{timestamp}:{signature}"
        lock_account(user.email)

        response = sign_in(client, user.email, PASSWORD)

        assert_locked_for_an_hour(response)

    def test_login_expired_device_cookie_untrusted(self, user, time_machine):
        client = trusted_client(user)
        time_machine.move_to(NOW + timedelta(days=365, seconds=1), tick=False)
        lock_account(user.email)

        response = sign_in(client, user.email, PASSWORD)

        assert_locked_for_an_hour(response)

    def test_login_year_old_device_cookie_trusted(self, user, time_machine):
        client = trusted_client(user)
        time_machine.move_to(NOW + timedelta(days=365), tick=False)
        lock_account(user.email)

        response = sign_in(client, user.email, PASSWORD)

        assert response.status_code == HTTPStatus.OK

    def test_login_failure_on_trusted_device_logged(self, user, caplog):
        owner = trusted_client(user)

        sign_in(owner, user.email, "wrong")

        (event,) = log_events(caplog, "login_failed")
        assert event["user_id"] == user.pk
        assert event["trusted_device"] is True


def admin_sign_in(client: Client, email: str, password: str, **extra):
    return client.post(
        "/admin/login/", {"username": email, "password": password, "next": "/admin/"}, **extra
    )


class AdminLoginTest:
    @pytest.fixture(autouse=True)
    def _frozen(self, time_machine):
        time_machine.move_to(NOW, tick=False)

    @pytest.fixture
    def staff(self):
        return User.objects.create_user("root@example.com", PASSWORD, is_staff=True)

    def test_admin_login_form(self):
        response = Client().get("/admin/login/")

        assert response.status_code == HTTPStatus.OK
        assert b'name="username"' in response.content

    def test_admin_login_signs_in_and_trusts_device(self, staff):
        client = Client()

        response = admin_sign_in(client, staff.email, PASSWORD)

        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == "/admin/"
        device = signing.loads(response.cookies[DEVICE_COOKIE].value, salt="tally.device")
        assert device["user"] == staff.pk
        assert client.get("/admin/").status_code == HTTPStatus.OK

    def test_admin_login_wrong_password(self, staff, caplog):
        response = admin_sign_in(Client(), staff.email, "wrong")

        assert response.status_code == HTTPStatus.OK
        assert DEVICE_COOKIE not in response.cookies
        (event,) = log_events(caplog, "login_failed")
        assert event["user_id"] == staff.pk
        assert event["trusted_device"] is False

    def test_admin_login_throttled_per_account(self, staff):
        client = Client()
        for _ in range(10):
            admin_sign_in(client, staff.email, "wrong")

        response = admin_sign_in(client, staff.email.upper(), PASSWORD)

        assert_locked_for_an_hour(response)
        assert "_auth_user_id" not in client.session

    def test_admin_login_throttled_per_client(self, staff):
        client = Client()
        for number in range(30):
            admin_sign_in(client, f"u{number}@example.com", "wrong")

        response = admin_sign_in(client, staff.email, PASSWORD)

        body = assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "throttled")
        assert body["error"] == "Request was throttled. Expected available in 60 seconds."
        assert response["Retry-After"] == "60"

    def test_admin_login_other_client_not_throttled(self, staff):
        client = Client()
        for number in range(30):
            admin_sign_in(client, f"u{number}@example.com", "wrong", REMOTE_ADDR="203.0.113.1")

        response = admin_sign_in(client, staff.email, PASSWORD, REMOTE_ADDR="203.0.113.2")

        assert response.status_code == HTTPStatus.FOUND

    def test_admin_login_shares_api_account_limit(self, staff):
        lock_account(staff.email)

        response = admin_sign_in(Client(), staff.email, PASSWORD)

        assert_locked_for_an_hour(response)

    def test_admin_login_trusted_device_passes_account_lock(self, staff):
        client = Client()
        admin_sign_in(client, staff.email, PASSWORD)
        lock_account(staff.email)

        response = admin_sign_in(client, staff.email, PASSWORD)

        assert response.status_code == HTTPStatus.FOUND

    def test_admin_login_username_with_nul(self, staff, caplog):
        client = Client()

        response = admin_sign_in(client, "root\x00@example.com", PASSWORD)

        assert response.status_code == HTTPStatus.OK
        assert response.context["form"].errors == {"username": ["Null characters are not allowed."]}
        (event,) = log_events(caplog, "login_failed")
        assert event["user_id"] is None
        assert "_auth_user_id" not in client.session

    def test_admin_login_username_with_nul_from_trusted_device(self, staff, caplog):
        client = Client()
        admin_sign_in(client, staff.email, PASSWORD)
        client.logout()

        response = admin_sign_in(client, "root\x00@example.com", PASSWORD)

        assert response.status_code == HTTPStatus.OK
        (event,) = log_events(caplog, "login_failed")
        assert event["trusted_device"] is False


class LogoutViewTest:
    def test_logout_ends_session(self, api_client, user):
        api_client.force_login(user)

        response = api_client.post("/api/accounts/logout/")

        assert response.status_code == HTTPStatus.NO_CONTENT
        assert api_client.get("/api/accounts/me/").status_code == HTTPStatus.UNAUTHORIZED

    def test_logout_without_session(self, api_client):
        response = api_client.post("/api/accounts/logout/")

        assert response.status_code == HTTPStatus.NO_CONTENT


class CsrfViewTest:
    def test_csrf_sets_cookie_and_returns_token(self, api_client):
        response = api_client.get("/api/accounts/csrf/")

        assert response.status_code == HTTPStatus.OK
        assert response.json()["csrf_token"]
        assert "csrftoken" in response.cookies


class MeViewTest:
    def test_me_get(self, api_client, user):
        api_client.force_login(user)

        response = api_client.get("/api/accounts/me/")

        assert response.json() == {
            "id": user.pk,
            "email": "ada@example.com",
            "name": "Ada",
            "created_at": user.created_at.isoformat().replace("+00:00", "Z"),
        }

    def test_me_anonymous(self, api_client):
        response = api_client.get("/api/accounts/me/")

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")

    def test_me_patch_name(self, api_client, user):
        api_client.force_login(user)

        response = api_client.patch("/api/accounts/me/", {"name": "Ada L."}, format="json")

        user.refresh_from_db()
        assert response.status_code == HTTPStatus.OK
        assert user.name == "Ada L."

    def test_me_patch_email_read_only(self, api_client, user):
        api_client.force_login(user)

        response = api_client.patch(
            "/api/accounts/me/", {"email": "eve@example.com", "name": "Eve"}, format="json"
        )

        assert_invalid(response, {"email": ["This field is read-only."]})
        user.refresh_from_db()
        assert (user.email, user.name) == ("ada@example.com", "Ada")

    def test_me_patch_unknown_field(self, api_client, user):
        api_client.force_login(user)

        response = api_client.patch("/api/accounts/me/", {"nmae": "Eve"}, format="json")

        assert_invalid(response, {"nmae": ["Unknown field; use name."]})

    def test_me_patch_name_number(self, api_client, user):
        api_client.force_login(user)

        response = api_client.patch("/api/accounts/me/", {"name": 0}, format="json")

        assert_invalid(response, {"name": ["Not a valid string; send a JSON string."]})
        user.refresh_from_db()
        assert user.name == "Ada"

    def test_me_put_not_allowed(self, api_client, user):
        api_client.force_login(user)

        response = api_client.put("/api/accounts/me/", {"name": "x"}, format="json")

        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


class PasswordChangeViewTest:
    def test_password_change(self, api_client, user):
        api_client.force_login(user)

        response = api_client.post(
            "/api/accounts/me/password/",
            {"current_password": PASSWORD, "new_password": "quiet-harbour-77-lantern"},
        )

        user.refresh_from_db()
        assert response.status_code == HTTPStatus.NO_CONTENT
        assert user.check_password("quiet-harbour-77-lantern")
        assert api_client.get("/api/accounts/me/").status_code == HTTPStatus.OK

    def test_password_change_wrong_current(self, api_client, user):
        api_client.force_login(user)

        response = api_client.post(
            "/api/accounts/me/password/",
            {"current_password": "wrong", "new_password": "quiet-harbour-77-lantern"},
        )

        user.refresh_from_db()
        assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert response.json()["details"] == {
            "current_password": ["The current password is not correct."]
        }
        assert user.check_password(PASSWORD)

    def test_password_change_weak_new(self, api_client, user):
        api_client.force_login(user)

        response = api_client.post(
            "/api/accounts/me/password/", {"current_password": PASSWORD, "new_password": "123"}
        )

        assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert "new_password" in response.json()["details"]

    def test_password_change_anonymous(self, api_client):
        response = api_client.post(
            "/api/accounts/me/password/", {"current_password": "a", "new_password": "b"}
        )

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")

    def test_password_change_with_api_key(self, api_client, user):
        _, secret = ApiKey.objects.create_key(user=user, name="CI")

        response = api_client.post(
            "/api/accounts/me/password/",
            {"current_password": PASSWORD, "new_password": "quiet-harbour-77-lantern"},
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )

        user.refresh_from_db()
        assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
        assert user.check_password(PASSWORD)

    def test_password_change_throttled(self, api_client, user):
        api_client.force_login(user)
        for _ in range(10):
            api_client.post(
                "/api/accounts/me/password/", {"current_password": "x", "new_password": "y"}
            )

        response = api_client.post(
            "/api/accounts/me/password/", {"current_password": "x", "new_password": "y"}
        )

        assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "throttled")


class ApiKeyViewSetTest:
    def test_create_returns_secret_once(self, api_client, user):
        api_client.force_login(user)

        response = api_client.post("/api/accounts/keys/", {"name": "CI"})

        body = response.json()
        assert response.status_code == HTTPStatus.CREATED
        assert body["key"].startswith(body["prefix"])
        key = ApiKey.objects.get(pk=body["id"])
        assert key.user == user
        assert ApiKey.objects.authenticate(body["key"]) == key
        listed = api_client.get("/api/accounts/keys/").json()["results"]
        assert "key" not in listed[0]
        assert body["key"] not in str(listed)

    def test_create_missing_name(self, api_client, user):
        api_client.force_login(user)

        response = api_client.post("/api/accounts/keys/", {})

        assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
        assert response.json()["details"] == {"name": ["This field is required."]}

    def test_list_only_own_keys(self, api_client, user):
        own = baker.make(ApiKey, user=user, name="mine")
        baker.make(ApiKey, name="theirs")
        api_client.force_login(user)

        response = api_client.get("/api/accounts/keys/")

        results = response.json()["results"]
        assert [k["id"] for k in results] == [own.pk]
        assert set(results[0]) == {"id", "name", "prefix", "created_at", "last_used_at"}

    def test_destroy_revokes(self, api_client, user):
        key, secret = ApiKey.objects.create_key(user=user, name="CI")
        api_client.force_login(user)

        response = api_client.delete(f"/api/accounts/keys/{key.pk}/")

        assert response.status_code == HTTPStatus.NO_CONTENT
        assert not ApiKey.objects.filter(pk=key.pk).exists()
        assert ApiKey.objects.authenticate(secret) is None

    def test_destroy_other_users_key(self, api_client, user):
        other_key = baker.make(ApiKey)
        api_client.force_login(user)

        response = api_client.delete(f"/api/accounts/keys/{other_key.pk}/")

        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        assert ApiKey.objects.filter(pk=other_key.pk).exists()

    def test_create_read_only_field(self, api_client, user):
        api_client.force_login(user)

        response = api_client.post("/api/accounts/keys/", {"name": "CI", "prefix": "tly_mine"})

        assert_invalid(response, {"prefix": ["This field is read-only."]})
        assert not ApiKey.objects.filter(user=user).exists()

    def test_list_unknown_parameter(self, api_client, user):
        api_client.force_login(user)

        response = api_client.get("/api/accounts/keys/", {"name": "CI"})

        assert_invalid(
            response, {"name": ["Unknown query parameter; use format, page, page_size."]}
        )

    def test_list_anonymous(self, api_client):
        response = api_client.get("/api/accounts/keys/")

        assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")

    def test_create_with_api_key(self, api_client, user):
        _, secret = ApiKey.objects.create_key(user=user, name="CI")

        response = api_client.post(
            "/api/accounts/keys/", {"name": "mine now"}, HTTP_AUTHORIZATION=f"Bearer {secret}"
        )

        assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
        assert list(ApiKey.objects.values_list("name", flat=True)) == ["CI"]

    def test_destroy_with_api_key(self, api_client, user):
        _, secret = ApiKey.objects.create_key(user=user, name="CI")
        other, _ = ApiKey.objects.create_key(user=user, name="reporting")

        response = api_client.delete(
            f"/api/accounts/keys/{other.pk}/", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )

        assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
        assert ApiKey.objects.count() == 2


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """A real password hash, at a tenth of the production cost to keep the test quick."""

    iterations = PBKDF2PasswordHasher.iterations // 10


@pytest.mark.django_db(transaction=True)
class LoginParallelTest:
    """Parallel guesses, each request on its own thread with its own database connection."""

    @pytest.fixture(autouse=True)
    def _slow_hasher(self, settings):
        # A real password check, long enough for the guesses to overlap.
        settings.PASSWORD_HASHERS = [f"{__name__}.QuickPBKDF2PasswordHasher"]
        yield
        cache.clear()  # a transactional test leaves the cache table's rows behind

    def test_login_parallel_wrong_passwords_at_most_limit(self):
        user = User.objects.create_user("ada@example.com", PASSWORD)
        start = threading.Barrier(16)

        def guess(number: int) -> int:
            try:
                start.wait()
                client = APIClient(raise_request_exception=False)
                return sign_in(client, user.email, "wrong", REMOTE_ADDR=f"198.51.100.{number}")
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=16) as pool:
            responses = list(pool.map(guess, range(16)))

        assert (
            sorted(response.status_code for response in responses)
            == [HTTPStatus.UNAUTHORIZED] * 10 + [HTTPStatus.TOO_MANY_REQUESTS] * 6
        )
        eleventh = sign_in(APIClient(), user.email, PASSWORD, REMOTE_ADDR="203.0.113.1")
        assert_error(eleventh, HTTPStatus.TOO_MANY_REQUESTS, "throttled")


class SignInSuccessNotCountedTest:
    """A sign-in is counted as a failure while its password is checked, and taken back."""

    def test_login_successes_spare_account_limit(self, user):
        for _ in range(10):
            assert sign_in(APIClient(), user.email, PASSWORD).status_code == HTTPStatus.OK

        response = sign_in(APIClient(), user.email, PASSWORD)

        assert response.status_code == HTTPStatus.OK

    def test_admin_login_successes_spare_account_limit(self):
        staff = User.objects.create_user("root@example.com", PASSWORD, is_staff=True)
        for _ in range(10):
            assert admin_sign_in(Client(), staff.email, PASSWORD).status_code == HTTPStatus.FOUND

        response = admin_sign_in(Client(), staff.email, PASSWORD)

        assert response.status_code == HTTPStatus.FOUND

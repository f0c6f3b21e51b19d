"""Users and API keys."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection
from model_bakery import baker

from accounts.models import ApiKey, User, hash_secret

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class UserManagerTest:
    def test_create_user_hashes_password(self):
        user = User.objects.create_user("Ada@Example.COM", "correct horse battery")

        assert user.email == "Ada@example.com"
        assert user.password != "correct horse battery"
        assert user.check_password("correct horse battery")

    def test_create_user_without_email(self):
        with pytest.raises(ValueError, match="email"):
            User.objects.create_user("", "pw")

    def test_create_superuser(self):
        user = User.objects.create_superuser("root@example.com", "pw")

        assert user.is_staff
        assert user.is_superuser

    def test_get_by_natural_key_ignores_case(self):
        user = baker.make(User, email="ada@example.com")

        assert User.objects.get_by_natural_key("ADA@example.com") == user

    def test_with_email_ignores_case(self):
        user = baker.make(User, email="ada@example.com")
        baker.make(User, email="grace@example.com")

        assert list(User.objects.with_email("Ada@Example.COM")) == [user]

    def test_with_email_unknown(self):
        baker.make(User, email="ada@example.com")

        assert not User.objects.with_email("ada@example.org").exists()

    def test_with_email_nul_names_no_account(self):
        baker.make(User, email="ada@example.com")

        assert not User.objects.with_email("ada\x00@example.com").exists()

    def test_with_email_reads_the_unique_index(self):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # the table is tiny in tests
            plan = User.objects.with_email("ada@example.com").explain()

        assert "accounts_user_email_ci_unique" in plan

    def test_email_unique_ignoring_case(self):
        baker.make(User, email="ada@example.com")

        with pytest.raises(IntegrityError):
            baker.make(User, email="ADA@EXAMPLE.COM")

    def test_str_is_email(self):
        assert str(User(email="ada@example.com")) == "ada@example.com"


class ApiKeyQuerySetTest:
    def test_create_key_stores_only_hash_and_prefix(self):
        user = baker.make(User)

        key, secret = ApiKey.objects.create_key(user=user, name="CI")

        key.refresh_from_db()
        assert secret.startswith("tly_")
        assert len(secret) > 40
        assert key.prefix == secret[:12]
        assert key.hashed == hash_secret(secret)
        assert secret not in (key.hashed, key.prefix, key.name)

    def test_create_key_secrets_differ(self):
        user = baker.make(User)

        _, secret = ApiKey.objects.create_key(user=user, name="a")
        _, other_secret = ApiKey.objects.create_key(user=user, name="b")

        assert secret != other_secret

    def test_authenticate_valid_secret(self):
        key, secret = ApiKey.objects.create_key(user=baker.make(User), name="CI")

        assert ApiKey.objects.authenticate(secret) == key

    def test_authenticate_wrong_secret(self):
        ApiKey.objects.create_key(user=baker.make(User), name="CI")

        assert ApiKey.objects.authenticate("tly_not-a-key") is None

    def test_authenticate_inactive_user(self):
        _, secret = ApiKey.objects.create_key(user=baker.make(User, is_active=False), name="CI")

        assert ApiKey.objects.authenticate(secret) is None

    def test_authenticate_revoked_key(self):
        key, secret = ApiKey.objects.create_key(user=baker.make(User), name="CI")
        key.delete()

        assert ApiKey.objects.authenticate(secret) is None


class ApiKeyTest:
    def test_touch_never_used(self):
        key = baker.make(ApiKey, last_used_at=None)

        wrote = key.touch(now=NOW)

        key.refresh_from_db()
        assert wrote is True
        assert key.last_used_at == NOW

    def test_touch_used_less_than_a_minute_ago(self):
        key = baker.make(ApiKey, last_used_at=NOW - timedelta(seconds=59))

        wrote = key.touch(now=NOW)

        key.refresh_from_db()
        assert wrote is False
        assert key.last_used_at == NOW - timedelta(seconds=59)

    def test_touch_used_over_a_minute_ago(self):
        key = baker.make(ApiKey, last_used_at=NOW - timedelta(seconds=61))

        wrote = key.touch(now=NOW)

        key.refresh_from_db()
        assert wrote is True
        assert key.last_used_at == NOW

    def test_touch_already_touched_by_another_process(self):
        key = baker.make(ApiKey, last_used_at=NOW - timedelta(minutes=5))
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=NOW - timedelta(seconds=10))

        wrote = key.touch(now=NOW)

        key.refresh_from_db()
        assert wrote is False
        assert key.last_used_at == NOW - timedelta(seconds=10)

    def test_str_shows_name_and_prefix(self):
        key = ApiKey(name="CI", prefix="tly_abcdefgh")

        assert str(key) == "CI (tly_abcdefgh…)"

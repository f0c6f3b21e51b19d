"""Users (email is the login, unique regardless of case) and their API keys."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    """Create users and superusers by email."""

    use_in_migrations = True

    def with_email(self, email: str) -> models.QuerySet:
        """Return the user with this email, ignoring case, as a query (of one user at most).

        Compared as lower(email), so the unique index on it (User.Meta) finds the user. An
        email with a NUL character names no account: PostgreSQL text cannot hold one, and the
        driver refuses to send it.
        """
        if "\x00" in email:
            return self.none()
        return self.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email)))

    def get_by_natural_key(self, email: str) -> "User":
        """Find a user by email, ignoring case."""
        return self.with_email(email).get()

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        """Create a user with a normalised email and a hashed password."""
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        """Create a user with every permission, for the Django admin."""
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who owns or shares sites; logs in with email and password."""

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email


class ApiKeyQuerySet(models.QuerySet):
    """Queries over API keys."""

    def create_key(self, *, user: User, name: str) -> tuple["ApiKey", str]:
        """Create a key and return it with its secret, which is never stored or shown again."""
        secret = ApiKey.SECRET_PREFIX + secrets.token_urlsafe(32)
        key = self.create(
            user=user, name=name, prefix=secret[: ApiKey.PREFIX_LENGTH], hashed=hash_secret(secret)
        )
        return key, secret

    def authenticate(self, secret: str) -> "ApiKey | None":
        """Return the key with this secret when its user is active, else None."""
        return (
            self.select_related("user")
            .filter(hashed=hash_secret(secret), user__is_active=True)
            .first()
        )


def hash_secret(secret: str) -> str:
    """Return the SHA-256 hex digest of an API key secret.

    Secrets are 256 random bits, so a fast hash is safe and lookups stay cheap.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(models.Model):
    """A named API key of a user; only its hash and a short prefix are stored."""

    SECRET_PREFIX = "tly_"  # noqa: S105 (a marker that makes leaked keys easy to scan for)
    PREFIX_LENGTH = 12
    TOUCH_INTERVAL = timedelta(minutes=1)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH)
    hashed = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def touch(self, *, now: datetime) -> bool:
        """Record a use, writing at most once per TOUCH_INTERVAL; return whether it wrote."""
        if self.last_used_at and now - self.last_used_at < self.TOUCH_INTERVAL:
            return False
        stale = models.Q(last_used_at__isnull=True) | models.Q(
            last_used_at__lt=now - self.TOUCH_INTERVAL
        )
        updated = ApiKey.objects.filter(stale, pk=self.pk).update(last_used_at=now)
        self.last_used_at = now
        return bool(updated)

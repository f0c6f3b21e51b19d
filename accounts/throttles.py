"""Rate limits on the sign-in endpoints, per client address, per account and per device.

Sign-in (the API's login and the admin's) follows OWASP's device-cookie scheme: a successful
sign-in gives the browser a signed cookie naming the account; a client that presents a valid
one for the account it signs in to is limited on its own, by that cookie, and every other
client shares the per-account limit. Guessing spread over many addresses is still stopped,
and locking an account out does not lock out its owner's browsers. The counters live in the
cache, keyed by an HMAC of what they count so that no address or email is stored. An attempt
is checked and counted in one step under PostgreSQL advisory locks on its counters, and
counted as a failure before the password is checked, so that parallel guesses cannot all
pass the check before any of them is counted.
"""

import hashlib
import math
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus

import structlog
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import salted_hmac
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.models import User
from proj.api.client_ip import client_ip
from proj.api.errors import json_error

logger = structlog.get_logger(__name__)

KEY_SALT = "tally.throttle"

DEVICE_COOKIE = "tally_device"
DEVICE_COOKIE_SALT = "tally.device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60  # seconds; renewed at every sign-in


def throttle_key(scope: str, ident: str) -> str:
    """Return the cache key of an address, email or device under a scope, keyed-hashed.

    The hash depends on SECRET_KEY: a plain one could be reversed by hashing known
    addresses or emails.
    """
    digest = salted_hmac(
        KEY_SALT, ident.encode("utf-8", "surrogatepass"), algorithm="sha256"
    ).hexdigest()
    return f"throttle_{scope}_{digest}"


class _ViewScopedThrottle(SimpleRateThrottle):
    """A throttle whose rate is ``<view.throttle_scope>_<kind>`` in DEFAULT_THROTTLE_RATES."""

    kind = ""

    def __init__(self) -> None:
        # The rate depends on the view, which allow_request receives.
        pass

    def allow_request(self, request: Request, view: APIView) -> bool:
        """Check the request against the rate of this view's scope."""
        self.scope = f"{view.throttle_scope}_{self.kind}"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def key_for(self, ident: str) -> str:
        """Return the cache key of an address or email under this throttle's scope."""
        return throttle_key(self.scope, ident)


class ClientThrottle(_ViewScopedThrottle):
    """Limit requests per client address."""

    kind = "client"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        """Key the count on the client's address."""
        return self.key_for(client_ip(request))


class AccountThrottle(_ViewScopedThrottle):
    """Limit requests per account: the one the view names in ``throttle_account``.

    ``"email"``: the account whose email the body gives (registration, whoever is signed in
    meanwhile, so that no session spreads guesses over another key); ``"user"``: the
    signed-in user (password change, whatever the body says).
    """

    kind = "account"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        """Key the count on the email, ignoring case and surrounding spaces."""
        if view.throttle_account == "user":
            email = request.user.email
        else:
            email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None  # the serializer rejects the request
        return self.key_for(email.strip().lower())


class Window:
    """The times of recent events under one scope, of which a rate allows so many."""

    def __init__(self, *, scope: str, ident: str) -> None:
        # DRF's own parser, so that a rate reads the same here as in the API's throttles.
        self.limit, self.duration = _ViewScopedThrottle().parse_rate(
            api_settings.DEFAULT_THROTTLE_RATES[scope]
        )
        self.key = throttle_key(scope, ident)

    @property
    def lock_id(self) -> int:
        """Return the PostgreSQL advisory lock of this window: a signed 64-bit hash of its key."""
        digest = hashlib.blake2b(self.key.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)

    def _recent(self, now: float) -> list[float]:
        # Newest first; only the last `limit` events can matter.
        return [at for at in cache.get(self.key, []) if at > now - self.duration]

    def wait(self, *, now: float) -> float | None:
        """Return the seconds until another event is allowed, or None if it is now."""
        recent = self._recent(now)
        if len(recent) < self.limit:
            return None
        return recent[self.limit - 1] + self.duration - now

    def add(self, *, now: float) -> None:
        """Count an event at ``now``."""
        recent = [now, *self._recent(now)][: self.limit]
        cache.set(self.key, recent, self.duration)

    def take_back(self, *, now: float) -> None:
        """Forget one event counted at ``now``, if it is still counted."""
        recent = self._recent(now)
        if now in recent:
            recent.remove(now)
            cache.set(self.key, recent, self.duration)


@contextmanager
def locked(*windows: Window) -> Iterator[None]:
    """Hold the windows' locks until the block ends, so that what it reads stays true.

    The cache is the database cache, so its reads and writes join this transaction, and
    every process and thread waits at the lock: a check and the count that follows it are
    one step. Locks are taken in one order everywhere, so that two attempts never deadlock.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            for lock_id in sorted({window.lock_id for window in windows}):
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
        yield


def issue_device_cookie(response: HttpResponse, *, user: User) -> None:
    """Give the browser a device cookie for this account, with a nonce of its own."""
    value = signing.dumps(
        {"user": user.pk, "nonce": secrets.token_urlsafe(16)}, salt=DEVICE_COOKIE_SALT
    )
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )


def device_nonce(request: HttpRequest, *, email: str) -> str | None:
    """Return the nonce of the request's device cookie if it is valid for this email's account.

    A cookie that is tampered with, expired, or issued for another account makes the client
    untrusted, like having none.
    """
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        device = signing.loads(value, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:  # expired ones too
        return None
    if not User.objects.with_email(email).filter(pk=device["user"]).exists():
        return None
    return device["nonce"]


class SignInAttempt:
    """One attempt to sign in with a password, under the sign-in limits.

    Every attempt counts against the client's address (``login_client``). A failure counts
    against the device cookie (``login_device``) when the client presents a valid one for the
    account, else against the account (``login_account``), which then locks out every client
    without one: the owner's browsers stay trusted. The attempt is counted as a failure when
    it is let through, before the password is checked, and taken back if it succeeds.
    """

    def __init__(self, request: HttpRequest, *, email: str, now: float) -> None:
        self.email = email.strip().lower()
        self.now = now
        self.client = Window(scope="login_client", ident=client_ip(request))
        nonce = device_nonce(request, email=self.email)
        self.trusted = nonce is not None
        if nonce is None:
            self.failures = Window(scope="login_account", ident=self.email)
        else:
            self.failures = Window(scope="login_device", ident=nonce)

    def wait(self) -> float | None:
        """Return the seconds until this client may try, or None and count the attempt.

        Let through, the attempt counts against the client and, until it succeeds, as a
        failure: a password check takes long enough for many parallel guesses to pass a
        check that only a finished failure would tighten.
        """
        with locked(self.client, self.failures):
            waits = [
                wait
                for wait in (self.client.wait(now=self.now), self.failures.wait(now=self.now))
                if wait is not None
            ]
            if waits:
                return max(waits)
            self.client.add(now=self.now)
            self.failures.add(now=self.now)
        return None

    def failed(self) -> None:
        """Log a wrong email or password by user id (``wait`` counted it already)."""
        known = User.objects.with_email(self.email).values_list("pk", flat=True).first()
        logger.warning("login_failed", user_id=known, trusted_device=self.trusted)

    def succeeded(self, response: HttpResponse, *, user: User) -> None:
        """Take the attempt back from the failures and trust this browser from now on."""
        with locked(self.failures):
            self.failures.take_back(now=self.now)
        issue_device_cookie(response, user=user)


def throttled_response(request: HttpRequest, *, wait: float) -> JsonResponse:
    """Answer 429 in the error shape with Retry-After, as the API's throttled answers do."""
    response = json_error(
        request, HTTPStatus.TOO_MANY_REQUESTS, message=Throttled(wait).detail, code="throttled"
    )
    response["Retry-After"] = str(math.ceil(wait))
    return response

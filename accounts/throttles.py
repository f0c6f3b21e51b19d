"""Rate limits on the sign-in endpoints, per client address and per account, in the cache."""

from django.utils.crypto import salted_hmac
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from proj.api.client_ip import client_ip

KEY_SALT = "tally.throttle"


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
        """Return the cache key of an address or email, keyed-hashed so that neither is stored.

        The hash depends on SECRET_KEY: a plain one could be reversed by hashing known
        addresses or emails.
        """
        digest = salted_hmac(
            KEY_SALT, ident.encode("utf-8", "surrogatepass"), algorithm="sha256"
        ).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class ClientThrottle(_ViewScopedThrottle):
    """Limit requests per client address."""

    kind = "client"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        """Key the count on the client's address."""
        return self.key_for(client_ip(request))


class AccountThrottle(_ViewScopedThrottle):
    """Limit requests per account: the one the view names in ``throttle_account``.

    ``"email"``: the account whose email the body gives (sign-in and registration, whoever
    is signed in meanwhile, so that no session spreads guesses over another key); ``"user"``:
    the signed-in user (password change, whatever the body says).
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

"""Authentication: API keys (``Authorization: Bearer <key>``) and session cookies."""

from django.utils import timezone
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.request import Request

from accounts.models import ApiKey, User
from proj.api.exceptions import CsrfFailed


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticate requests that carry an API key as a bearer token."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        """Return the key's user and the key, None without the header; reject bad keys.

        Another scheme (``Token``, ``Basic``) is refused rather than ignored: ignored, it would
        answer "credentials were not provided" to a client that sent some.
        """
        parts = get_authorization_header(request).split()
        if not parts:
            return None
        if parts[0].lower() != self.keyword:
            raise AuthenticationFailed(
                "Unsupported authorization scheme; use 'Authorization: Bearer <api key>'."
            )
        if len(parts) != 2:
            raise AuthenticationFailed("Malformed Authorization header; use 'Bearer <api key>'.")
        key = ApiKey.objects.authenticate(parts[1].decode("latin-1"))
        if key is None:
            raise AuthenticationFailed("Invalid or revoked API key.")
        key.touch(now=timezone.now())
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        """Ask unauthenticated clients for a bearer token (so they get 401, not 403)."""
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """Session cookies, with CSRF checks; a failed check answers code ``csrf_failed``."""

    def enforce_csrf(self, request: Request) -> None:
        """Check the CSRF token as DRF does, raising CsrfFailed instead of PermissionDenied."""
        try:
            super().enforce_csrf(request)
        except PermissionDenied as error:
            raise CsrfFailed() from error


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe API key authentication in the OpenAPI schema."""

    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema) -> dict:
        """Return the bearer scheme."""
        return {"type": "http", "scheme": "bearer", "description": "An API key: tly_..."}


class SessionAuthenticationScheme(SessionScheme):
    """Describe session authentication in the OpenAPI schema, as for DRF's own class."""

    target_class = SessionAuthentication

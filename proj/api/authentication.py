"""API key authentication: ``Authorization: Bearer <key>``."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.models import ApiKey, User


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticate requests that carry an API key as a bearer token."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        """Return the key's user and the key, None without a bearer token; reject bad keys."""
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
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


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe API key authentication in the OpenAPI schema."""

    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema) -> dict:
        """Return the bearer scheme."""
        return {"type": "http", "scheme": "bearer", "description": "An API key: tly_..."}

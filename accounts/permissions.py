"""Who may use the account endpoints that manage credentials."""

from rest_framework.permissions import IsAuthenticated


class SignedIn(IsAuthenticated):
    """A user signed in with a session, not an API key.

    A key cannot create or revoke keys, nor change the password: a leaked key must not be
    able to outlive its revocation, or lock its owner out.
    """

    message = "Sign in with your password to manage API keys and passwords; an API key cannot."

    def has_permission(self, request, view) -> bool:
        """Allow authenticated requests that did not authenticate with an API key."""
        return super().has_permission(request, view) and request.auth is None

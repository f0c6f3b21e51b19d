"""API errors of our own, beyond DRF's."""

from rest_framework import exceptions

CSRF_MESSAGE = (
    "CSRF verification failed. Get a token from /api/accounts/csrf/ "
    "and send it in the X-CSRFToken header."
)


class CsrfFailed(exceptions.PermissionDenied):
    """A failed CSRF check on a DRF view: 403 with its own code, as on Django's views."""

    default_detail = CSRF_MESSAGE
    default_code = "csrf_failed"

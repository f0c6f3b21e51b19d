"""Content-Security-Policy and the nonce that lets a page's own inline script and style run.

Django 5.2 has no CSP of its own (it arrives in 6.0, with the same nonce idea). Pages that
need inline code put ``nonce="{{ request.csp_nonce }}"`` on it; the nonce is made only when
a page asks for it, and only such a page's policy names it.
"""

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"

# HTML pages (the admin, the API docs): everything from this origin, inline code only with the
# request's nonce, no plugins, no framing, no <base> tricks, forms posted back to us only.
HTML_POLICY = (
    "default-src 'self'; script-src 'self'{nonce}; style-src 'self'{nonce}; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Anything else (JSON, CSV, static files): a browser that renders it as a document may load
# and run nothing.
OTHER_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


class CspNonce:
    """A request's CSP nonce, made when a template first reads it."""

    def __init__(self) -> None:
        self.value = ""

    def __str__(self) -> str:
        if not self.value:
            self.value = secrets.token_urlsafe(16)
        return self.value


def policy_for(response: HttpResponse, nonce: CspNonce) -> str:
    """Return the policy for a response: the HTML one for pages, the strict one otherwise."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return OTHER_POLICY
    return HTML_POLICY.format(nonce=f" 'nonce-{nonce.value}'" if nonce.value else "")


class ContentSecurityPolicyMiddleware:
    """Give each request a nonce and each response a Content-Security-Policy header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = nonce = CspNonce()
        response = self.get_response(request)
        if HEADER not in response:  # a view that sets its own policy knows best
            response[HEADER] = policy_for(response, nonce)
        return response

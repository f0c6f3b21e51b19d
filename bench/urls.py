"""URLs of the service under bench/ingest: the product's, plus the cheapest Django response.

``GET /bench/constant/`` is a plain view returning a constant: no DRF, no database, nothing but
the middleware every request passes. It is the baseline ingest is measured against.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from proj.urls import handler400, handler403, handler404, handler500, urlpatterns

CONSTANT = b'{"status": "ok"}'


def constant(request: HttpRequest) -> HttpResponse:
    """Answer the same few bytes to any request."""
    return HttpResponse(CONSTANT, content_type="application/json")


urlpatterns = [path("bench/constant/", constant, name="bench-constant"), *urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

"""The interactive API documentation (Swagger UI), served under the Content-Security-Policy."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response


class DocsView(SpectacularSwaggerView):
    """Swagger UI, its inline style and script allowed by the request's CSP nonce."""

    template_name = "api/docs.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args, **kwargs) -> Response:
        """Render the page isolated from cross-origin windows like every other page."""
        response = super().get(request, *args, **kwargs)
        # drf-spectacular relaxes this for OAuth2 pop-ups; Tally signs in with no OAuth2.
        response["Cross-Origin-Opener-Policy"] = "same-origin"
        return response

"""Service views: the API index and the health check."""

from http import HTTPStatus

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from proj.api.outage import note_database_unavailable


class IndexView(APIView):
    """List the API's entry points."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiIndex", {"name": serializers.CharField(), "links": serializers.DictField()}
        )
    )
    def get(self, request: Request) -> Response:
        """Return links to the health check, the schema and the interactive docs."""
        links = {
            "register": reverse("register", request=request),
            "login": reverse("login", request=request),
            "sites": reverse("site-list", request=request),
            "health": reverse("health", request=request),
            "schema": reverse("schema", request=request),
            "docs": reverse("docs", request=request),
        }
        return Response({"name": "Tally analytics API", "links": links})


class HealthView(APIView):
    """Report whether the service and its database answer."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses={
            200: inline_serializer(
                "Health", {"status": serializers.CharField(), "database": serializers.CharField()}
            ),
            503: inline_serializer(
                "HealthDown",
                {"status": serializers.CharField(), "database": serializers.CharField()},
            ),
        }
    )
    def get(self, request: Request) -> Response:
        """Answer 200 when a query succeeds, 503 when the database is unreachable."""
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as error:
            note_database_unavailable(error)  # logged once per outage: probes poll all along
            return Response(
                {"status": "error", "database": "error"}, status=HTTPStatus.SERVICE_UNAVAILABLE
            )
        return Response({"status": "ok", "database": "ok"})


class PingView(APIView):
    """Answer at once, touching nothing: a liveness probe and the benchmarks' baseline."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=inline_serializer("Pong", {"status": serializers.CharField()}))
    def get(self, request: Request) -> Response:
        """Return ``{"status": "ok"}`` without querying the database."""
        return Response({"status": "ok"})

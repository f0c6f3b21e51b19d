"""The stats endpoints: the v2 query and realtime visitors."""

from http import HTTPStatus
from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sites.models import Site
from visits.stats.engine import QueryTimeout, realtime_visitors, run_query
from visits.stats.query import InvalidQuery, is_clean_text, parse_query
from visits.stats.rollups import first_day
from visits.stats.serializers import StatsQuerySerializer, StatsResultSerializer


class QueryTooSlow(APIException):
    """A stats query cancelled for running too long."""

    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    default_detail = "The query ran too long and was cancelled; narrow the date range or filters."
    default_code = "query_timeout"


def readable_site(request: Request, site_id) -> Site:
    """Return the site named by domain when the caller may read its stats, else 404.

    A site the caller may not read answers exactly like a site that does not exist.
    """
    if not isinstance(site_id, str) or not site_id or not is_clean_text(site_id):
        raise ValidationError({"site_id": ["Give the site's domain as site_id."]})
    site = Site.objects.stats_readable_by(request.user).filter(domain=site_id.lower()).first()
    if site is None:
        raise NotFound("No site with this domain, or you may not read its stats.")
    return site


class QueryView(APIView):
    """Aggregates, time series and breakdowns (Plausible's Stats API v2)."""

    permission_classes = [AllowAny]

    @extend_schema(request=StatsQuerySerializer, responses=StatsResultSerializer)
    def post(self, request: Request) -> Response:
        """Answer a query; an invalid one answers 400 naming the offending part."""
        body = request.data
        if not isinstance(body, dict):
            raise ValidationError({"query": ["The query is a JSON object."]})
        site = readable_site(request, body.get("site_id"))
        try:
            query = parse_query(
                body, tz=ZoneInfo(site.timezone), now=timezone.now(), first_day=first_day(site)
            )
            return Response(run_query(site, query))
        except InvalidQuery as error:
            raise ValidationError({error.part: [error.message]}) from error
        except QueryTimeout as error:
            raise QueryTooSlow() from error


class RealtimeVisitorsView(APIView):
    """Visitors on the site now."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "site_id",
                {"type": "string", "minLength": 1},
                required=True,
                description="The domain.",
            )
        ],
        responses=OpenApiTypes.INT,
    )
    def get(self, request: Request) -> Response:
        """Return the number of distinct visitors with an event in the last five minutes."""
        site = readable_site(request, request.query_params.get("site_id"))
        return Response(realtime_visitors(site, now=timezone.now()))

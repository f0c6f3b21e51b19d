"""The public collect endpoints: Plausible-compatible events, the pixel, and the tracker."""

import base64
import hashlib
from functools import cache
from http import HTTPStatus
from pathlib import Path

import structlog
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from proj.api.client_ip import client_ip
from proj.api.outage import RETRY_AFTER_SECONDS, noted_outage
from visits.models import DropReason, Visit, VisitDropped
from visits.parsers import EventJSONParser, EventTextParser
from visits.serializers import EventSerializer, validate_event
from visits.sitecache import sites_by_domain
from visits.writer import WriterFull, event_writer

logger = structlog.get_logger(__name__)

DROPPED_HEADER = "X-Tally-Dropped"
TRACKER_FILE = Path(__file__).parent / "tracker" / "script.js"
DROPPED_PARAMETER = OpenApiParameter(
    DROPPED_HEADER,
    str,
    OpenApiParameter.HEADER,
    response=[200, 202],
    description="Why the event was not recorded for some site: "
    + ", ".join(DropReason)
    + " (comma-separated).",
)
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def record_event(request: Request, event: dict) -> list[DropReason]:
    """Accept an event for each site it names; return why any were not recorded.

    The events of all the sites are accepted together or, with the writer full or the database
    needed and unreachable, not at all, so that a client sending the event again records it once.
    """
    try:
        return _record_event(request, event)
    except DatabaseError as error:
        if not noted_outage(error):
            raise
        raise IngestUnavailable(DATABASE_UNREACHABLE) from error


def _record_event(request: Request, event: dict) -> list[DropReason]:
    now = timezone.now()
    ip, user_agent = client_ip(request), request.headers.get("User-Agent", "")
    sites = sites_by_domain(event["domain"])
    drops, accepted = [], []
    for domain in event["domain"]:
        if domain not in sites:
            drops.append(DropReason.UNKNOWN_DOMAIN)
            logger.info("event_dropped", reason=DropReason.UNKNOWN_DOMAIN, domain=domain)
            continue
        try:
            prepared = Visit.objects.prepare(
                site=sites[domain],
                name=event["name"],
                url=event["url"],
                referrer=event["referrer"],
                props=event["props"],
                interactive=event["interactive"],
                ip=ip,
                user_agent=user_agent,
                timestamp=now,
                received_at=now,
            )
        except VisitDropped as dropped:
            drops.append(dropped.reason)
            logger.info("event_dropped", reason=dropped.reason, site_id=sites[domain].pk)
        else:
            accepted.append(prepared.params)
    try:
        event_writer.add(accepted)
    except WriterFull as full:
        logger.warning("event_refused_writer_full", events=len(accepted))
        raise IngestUnavailable from full
    return drops


class IngestUnavailable(APIException):
    """Events cannot be taken in: too many wait to be stored."""

    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    default_detail = "Too many events are waiting to be stored; send this one again shortly."
    default_code = "ingest_unavailable"
    wait = RETRY_AFTER_SECONDS  # sent as Retry-After


# With INGEST_BUFFER off, or for a domain this worker has never looked up.
DATABASE_UNREACHABLE = "The database is unreachable; send this event again shortly."


def with_drops(response: HttpResponse, drops: list[DropReason]) -> HttpResponse:
    """Name the reasons for events not recorded in a response header."""
    if drops:
        response[DROPPED_HEADER] = ",".join(dict.fromkeys(drops))
    return response


class PublicCollectView(APIView):
    """Open to any origin, without credentials: trackers post from every site."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def finalize_response(self, request, response, *args, **kwargs):
        """Allow cross-origin calls from any page."""
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Expose-Headers"] = DROPPED_HEADER
        response["Access-Control-Max-Age"] = "86400"
        return response


class EventView(PublicCollectView):
    """Record a pageview or custom event (Plausible's Events API)."""

    parser_classes = [EventJSONParser, EventTextParser]

    @extend_schema(
        request=EventSerializer,
        responses={
            202: OpenApiResponse(
                response=inline_serializer(
                    "EventAccepted", {"status": serializers.ChoiceField(choices=["accepted"])}
                ),
                description="Accepted; X-Tally-Dropped names any drop reason. "
                "The body is JSON, sent as application/json or text/plain, at most 64 KB.",
            ),
        },
        parameters=[DROPPED_PARAMETER],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Accept an event; valid events that are not recorded still answer 202."""
        drops = record_event(request, validate_event(request.data))
        return with_drops(Response({"status": "accepted"}, status=HTTPStatus.ACCEPTED), drops)


class EventPixelView(PublicCollectView):
    """Record an event from query parameters and answer a 1x1 GIF, for <noscript>."""

    @extend_schema(
        responses={
            (200, "image/gif"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="A transparent pixel."
            )
        },
        parameters=[EventSerializer, DROPPED_PARAMETER],
        auth=[],
    )
    def get(self, request: Request) -> HttpResponse:
        """Accept an event given as query parameters."""
        drops = record_event(request, validate_event(request.query_params))
        response = HttpResponse(PIXEL, content_type="image/gif")
        response["Cache-Control"] = "no-store"
        return with_drops(response, drops)


@cache
def tracker_source() -> bytes:
    """Return the tracker script, read once."""
    return TRACKER_FILE.read_bytes()


@cache
def tracker_etag() -> str:
    """Return the tracker's ETag, the same in every worker."""
    return hashlib.sha256(tracker_source()).hexdigest()[:16]


@gzip_page
@condition(etag_func=lambda request: tracker_etag())
def tracker(request) -> HttpResponse:
    """Serve the tracker script, cacheable for a day."""
    response = HttpResponse(tracker_source(), content_type="application/javascript")
    response["Cache-Control"] = "public, max-age=86400"
    response["Access-Control-Allow-Origin"] = "*"
    return response

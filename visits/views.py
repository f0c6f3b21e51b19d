"""The visits collection: list, filter, export as CSV, read one, post server-side."""

from http import HTTPStatus

import structlog
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from proj.api.filters import KnownQueryParameters, OrderingFilter
from proj.api.pagination import CursorPagination
from visits.filters import VisitFilter
from visits.models import DropReason, Visit, VisitDropped
from visits.renderers import CSVRenderer, csv_lines
from visits.serializers import ServerVisitSerializer, VisitSerializer

logger = structlog.get_logger(__name__)

MAX_BATCH = 1000


class VisitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Visits of the sites the caller can see, newest first."""

    serializer_class = VisitSerializer
    pagination_class = CursorPagination
    filter_backends = [KnownQueryParameters, DjangoFilterBackend, OrderingFilter]
    filterset_class = VisitFilter
    ordering_fields = ["timestamp"]
    ordering = ["-timestamp"]
    renderer_classes = [JSONRenderer, CSVRenderer]

    def get_queryset(self):
        """Return the visits of sites the caller can see."""
        return Visit.objects.visible_to(self.request.user)

    def get_renderers(self):
        """Offer CSV for the list only: one visit, or a posted batch, has no CSV form."""
        renderers = super().get_renderers()
        if self.action == "list":
            return renderers
        return [renderer for renderer in renderers if renderer.format != CSVRenderer.format]

    @extend_schema(
        responses={
            200: VisitSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR, description="?format=csv: every matching row."
            ),
        }
    )
    def list(self, request: Request, *args, **kwargs):
        """List visits; ``?format=csv`` streams every matching visit as CSV."""
        if request.accepted_renderer.format != CSVRenderer.format:
            return super().list(request, *args, **kwargs)
        fields = VisitSerializer.Meta.fields
        # Filtering validates every parameter here, before the first byte is streamed: an
        # error after the header row could only drop the connection.
        rows = (
            self.filter_queryset(self.get_queryset())
            .values_list(*[f"{name}_id" if name == "site" else name for name in fields])
            .iterator(chunk_size=2000)
        )
        response = StreamingHttpResponse(csv_lines(fields, rows), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="visits.csv"'
        return response

    @extend_schema(
        request=PolymorphicProxySerializer(
            "ServerVisits",
            serializers=[
                ServerVisitSerializer,
                ServerVisitSerializer(many=True, min_length=1, max_length=MAX_BATCH),
            ],
            resource_type_field_name=None,
            many=False,
        ),
        responses={
            201: inline_serializer(
                "VisitsRecorded",
                {
                    "recorded": serializers.IntegerField(),
                    "dropped": inline_serializer(
                        "DroppedVisit",
                        {
                            "index": serializers.IntegerField(),
                            "reason": serializers.ChoiceField(choices=[*DropReason]),
                        },
                        many=True,
                    ),
                },
            )
        },
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Record one visit (an object) or a batch of up to 1000 (a list), all or nothing."""
        now = timezone.now()
        many = isinstance(request.data, list)
        batch = {"many": True, "max_length": MAX_BATCH, "allow_empty": False} if many else {}
        serializer = ServerVisitSerializer(
            data=request.data, context={**self.get_serializer_context(), "now": now}, **batch
        )
        if not serializer.is_valid():
            raise ValidationError(_flatten(serializer.errors) if many else serializer.errors)
        items = serializer.validated_data if many else [serializer.validated_data]
        recorded, dropped = 0, []
        with transaction.atomic():
            for index, item in enumerate(items):
                try:
                    # The serializer's fields are record()'s arguments.
                    Visit.objects.record(**{"timestamp": now, **item}, received_at=now)
                except VisitDropped as drop:
                    dropped.append({"index": index, "reason": drop.reason})
                else:
                    recorded += 1
        logger.info(
            "visits_posted", user_id=request.user.pk, recorded=recorded, dropped=len(dropped)
        )
        return Response({"recorded": recorded, "dropped": dropped}, status=HTTPStatus.CREATED)


def _flatten(errors: dict) -> dict:
    """Turn a batch's per-item errors into ``{"<index>.<field>": [messages]}``.

    Errors of the list itself (empty, too long) keep their key.
    """
    flat = {}
    for key, value in errors.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{field}": messages for field, messages in value.items()})
        else:
            flat[key] = value
    return flat

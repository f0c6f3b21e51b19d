"""Pagination classes for the API's collections."""

from django.utils.dateparse import parse_datetime
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from proj.datetimes import has_storable_offset


class PageSizeMixin:
    """``?page_size=`` as a whole number from 1 to ``max_page_size``; anything else answers 400.

    DRF would fall back to the default size, or cut a large one down, without saying so.
    """

    page_size: int
    page_size_query_param = "page_size"
    max_page_size: int

    def get_page_size(self, request: Request) -> int:
        """Return the requested page size, or the default without ``?page_size=``."""
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        # Few digits: int() of thousands of digits is slow, and refused beyond 4300.
        size = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else 0
        if not 1 <= size <= self.max_page_size:
            message = f"A whole number from 1 to {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        return size


class PageNumberPagination(PageSizeMixin, pagination.PageNumberPagination):
    """Pages of ``page_size`` items (default 50, at most 100), selected with ``?page=``."""

    page_size = 50
    max_page_size = 100

    def get_paginated_response(self, data) -> Response:
        """Return the page with ``count``, ``next``, ``previous``, ``page_size`` and ``results``."""
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "page_size": self.page.paginator.per_page,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """Describe the page in the OpenAPI schema."""
        page = super().get_paginated_response_schema(schema)
        page["properties"]["page_size"] = {"type": "integer", "example": self.page_size}
        page["required"].append("page_size")
        return page


class CursorPagination(PageSizeMixin, pagination.CursorPagination):
    """Opaque-cursor pages, stable while new rows keep arriving (``?cursor=``, ``?page_size=``)."""

    page_size = 100
    max_page_size = 1000
    ordering = "-timestamp"

    def decode_cursor(self, request):
        """Decode the cursor, refusing one whose position is not a storable moment (forged)."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                moment = parse_datetime(cursor.position)
            except ValueError:
                moment = None
            valid = moment is not None and has_storable_offset(moment)
            if not valid:
                raise NotFound(self.invalid_cursor_message)
        return cursor

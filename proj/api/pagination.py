"""Pagination classes for the API's collections."""

from django.utils.dateparse import parse_datetime
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of ``page_size`` items (default 50, at most 100), selected with ``?page=``."""

    page_size = 50
    page_size_query_param = "page_size"
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


class CursorPagination(pagination.CursorPagination):
    """Opaque-cursor pages, stable while new rows keep arriving (``?cursor=``, ``?page_size=``)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-timestamp"

    def decode_cursor(self, request):
        """Decode the cursor, refusing one whose position is not a moment (a forged one)."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                valid = parse_datetime(cursor.position) is not None
            except ValueError:
                valid = False
            if not valid:
                raise NotFound(self.invalid_cursor_message)
        return cursor

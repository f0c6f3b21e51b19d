"""The JSON parser every endpoint uses: DRF's, with a size limit and deep nesting answered as 400.

Bodies are read up to their limit plus one byte, whether sent with ``Content-Length`` or chunked
(``proj.api.bodies`` reads those first): a body over the limit answers 413 ``payload_too_large``.
"""

import io
from http import HTTPStatus

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import APIException, ParseError


def size_in_words(size: int) -> str:
    """Say a size in bytes as KB or MB: 65536 is "64 KB", 2621440 is "2.5 MB"."""
    if size < 1024 * 1024:
        return f"{size / 1024:g} KB"
    return f"{size / 1024 / 1024:g} MB"


class PayloadTooLarge(APIException):
    """The request body is over the limit."""

    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than {size_in_words(limit)}.")


class JSONParser(parsers.JSONParser):
    """Parse JSON of at most ``max_body`` bytes; nesting too deep for Python answers 400."""

    max_body: int | None = None  # None: Django's DATA_UPLOAD_MAX_MEMORY_SIZE

    @classmethod
    def body_limit(cls) -> int:
        """Return the largest body this parser reads, in bytes."""
        return cls.max_body or settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def parse(self, stream, media_type=None, parser_context=None):
        """Refuse oversize bodies with 413, reading no more than the limit, then parse JSON."""
        limit = self.body_limit()
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise PayloadTooLarge(limit)
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error

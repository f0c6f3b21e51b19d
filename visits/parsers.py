"""Body parsers for the public collect endpoint: JSON, also sent as text/plain, at most 64 KB."""

import io
from http import HTTPStatus

from rest_framework.exceptions import APIException

from proj.api.parsers import JSONParser

MAX_EVENT_BODY = 64 * 1024


class PayloadTooLarge(APIException):
    """The request body is over the limit."""

    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    default_detail = f"The request body is larger than {MAX_EVENT_BODY // 1024} KB."
    default_code = "payload_too_large"


class EventJSONParser(JSONParser):
    """Parse a JSON body of at most 64 KB, reading no more than that."""

    def parse(self, stream, media_type=None, parser_context=None):
        """Refuse oversize bodies with 413, then parse JSON."""
        body = stream.read(MAX_EVENT_BODY + 1)
        if len(body) > MAX_EVENT_BODY:
            raise PayloadTooLarge()
        return super().parse(io.BytesIO(body), media_type, parser_context)


class EventTextParser(EventJSONParser):
    """Parse JSON sent as text/plain, which browsers send cross-origin without a preflight."""

    media_type = "text/plain"

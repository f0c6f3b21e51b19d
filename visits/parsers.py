"""Body parsers for the public collect endpoint: JSON, also sent as text/plain, at most 64 KB."""

from proj.api.parsers import JSONParser

MAX_EVENT_BODY = 64 * 1024


class EventJSONParser(JSONParser):
    """Parse a JSON body of at most 64 KB, reading no more than that."""

    max_body = MAX_EVENT_BODY


class EventTextParser(EventJSONParser):
    """Parse JSON sent as text/plain, which browsers send cross-origin without a preflight."""

    media_type = "text/plain"

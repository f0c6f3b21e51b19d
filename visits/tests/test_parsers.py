"""The collect endpoint's body parsers: JSON of at most 64 KB, also sent as text/plain."""

import io
import json

import pytest
from rest_framework.exceptions import ParseError

from proj.api.parsers import PayloadTooLarge
from visits.parsers import MAX_EVENT_BODY, EventJSONParser, EventTextParser


class CountingStream(io.BytesIO):
    """A body stream that remembers how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def body_of_size(size: int) -> bytes:
    """Return a JSON object of exactly ``size`` bytes."""
    start = b'{"n": ""}'
    return start[:-2] + b"x" * (size - len(start)) + start[-2:]


class EventJSONParserTest:
    def test_parse_object(self):
        parser = EventJSONParser()

        data = parser.parse(io.BytesIO(b'{"n": "pageview", "p": {"plan": "pro"}}'))

        assert data == {"n": "pageview", "p": {"plan": "pro"}}

    def test_parse_at_limit(self):
        body = body_of_size(MAX_EVENT_BODY)

        data = EventJSONParser().parse(io.BytesIO(body))

        assert data == json.loads(body)

    def test_parse_over_limit(self):
        body = body_of_size(MAX_EVENT_BODY + 1)

        with pytest.raises(PayloadTooLarge) as error:
            EventJSONParser().parse(io.BytesIO(body))

        assert error.value.status_code == 413
        assert error.value.get_codes() == "payload_too_large"

    def test_parse_reads_no_more_than_limit(self):
        stream = CountingStream(b"x" * (10 * MAX_EVENT_BODY))

        with pytest.raises(PayloadTooLarge):
            EventJSONParser().parse(stream)

        assert stream.bytes_read == MAX_EVENT_BODY + 1

    def test_parse_malformed(self):
        with pytest.raises(ParseError):
            EventJSONParser().parse(io.BytesIO(b'{"n": '))

    def test_parse_rejects_nan(self):
        with pytest.raises(ParseError):
            EventJSONParser().parse(io.BytesIO(b'{"p": {"x": NaN}}'))


class EventTextParserTest:
    def test_media_type(self):
        parser = EventTextParser()

        media_type = parser.media_type

        assert media_type == "text/plain"

    def test_parse_json(self):
        parser = EventTextParser()

        data = parser.parse(io.BytesIO(b'{"n": "pageview"}'), "text/plain")

        assert data == {"n": "pageview"}

    def test_parse_over_limit(self):
        with pytest.raises(PayloadTooLarge):
            EventTextParser().parse(io.BytesIO(body_of_size(MAX_EVENT_BODY + 1)), "text/plain")


class PayloadTooLargeTest:
    def test_payload_too_large_message(self):
        error = PayloadTooLarge(MAX_EVENT_BODY)

        assert str(error.detail) == "The request body is larger than 64 KB."

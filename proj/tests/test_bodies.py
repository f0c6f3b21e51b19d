"""Chunked request bodies, read up to the view's limit, and the default parser's limit."""

import io
import json
from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth import views as auth_views

from proj.api.bodies import body_limit_of, read_at_most
from proj.tests.bodies import CountingStream, post_chunked
from proj.tests.errors import assert_error
from visits.collect import EventView

LOGIN = {"email": "nobody@example.com", "password": "wrong password"}


class BodyLimitOfTest:
    def test_body_limit_of_collect_view(self):
        limit = body_limit_of(EventView.as_view())

        assert limit == 64 * 1024

    def test_body_limit_of_plain_django_view(self):
        limit = body_limit_of(auth_views.LoginView.as_view())

        assert limit == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class ReadAtMostTest:
    def test_read_at_most_stops_at_size(self):
        stream = CountingStream(b"x" * 100)

        body = read_at_most(stream, 10)

        assert (body, stream.bytes_read) == (b"x" * 10, 10)

    def test_read_at_most_short_stream(self):
        body = read_at_most(io.BytesIO(b"abc"), 10)

        assert body == b"abc"

    def test_read_at_most_joins_short_reads(self):
        class OneByteAtATime(io.BytesIO):
            def read(self, size: int | None = -1) -> bytes:
                return super().read(1)

        body = read_at_most(OneByteAtATime(b"abcdef"), 4)

        assert body == b"abcd"


@pytest.mark.django_db
class ChunkedBodyMiddlewareTest:
    def test_chunked_body_read_by_drf_view(self, api_client):
        stream = io.BytesIO(json.dumps(LOGIN).encode())

        response = post_chunked(api_client, "/api/accounts/login/", stream, "application/json")

        # The credentials were read: missing fields would answer 400 instead.
        body = assert_error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")
        assert body["error"] == "Invalid email or password."

    def test_chunked_body_over_default_limit(self, api_client, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
        stream = CountingStream(b" " * 10_000 + json.dumps(LOGIN).encode())

        response = post_chunked(api_client, "/api/accounts/login/", stream, "application/json")

        body = assert_error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large")
        assert body["error"] == "The request body is larger than 1 KB."
        assert stream.bytes_read == 1025

    def test_chunked_body_unterminated_input_left_unread(self, api_client):
        stream = CountingStream(json.dumps(LOGIN).encode())

        post_chunked(
            api_client, "/api/accounts/login/", stream, "application/json", terminated=False
        )

        assert stream.bytes_read == 0

    def test_content_length_body_read_unchanged(self, api_client):
        response = api_client.post("/api/accounts/login/", LOGIN, format="json")

        body = assert_error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")
        assert body["error"] == "Invalid email or password."


@pytest.mark.django_db
class JSONParserLimitTest:
    def test_body_over_default_limit(self, api_client):
        body = " " * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + json.dumps(LOGIN)  # 2.5 MB

        response = api_client.post("/api/accounts/login/", body, content_type="application/json")

        body = assert_error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large")
        assert body["error"] == "The request body is larger than 2.5 MB."

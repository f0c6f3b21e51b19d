"""Chunked request bodies: read them, up to the view's limit, as if sent with Content-Length.

Django and DRF read ``Content-Length`` bytes of a body and take a request without it as having
none, so a body sent with ``Transfer-Encoding: chunked`` was parsed as empty. A WSGI server that
de-chunks the body and ends ``wsgi.input`` with it says so with ``wsgi.input_terminated``
(gunicorn does); such a body is read here, at most the view's limit plus one byte, and handed on
with its length. The parser then answers 413 if it is over the limit, as for any other body.
"""

import io
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from proj.api.parsers import JSONParser


def body_limit_of(view_func: Callable) -> int:
    """Return the largest body a view reads: its JSON parsers' limit, else Django's."""
    parser_classes = getattr(getattr(view_func, "cls", None), "parser_classes", [])
    limits = [p.body_limit() for p in parser_classes if issubclass(p, JSONParser)]
    return max(limits, default=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def read_at_most(stream, size: int) -> bytes:
    """Read up to ``size`` bytes, fewer only at the end of the stream."""
    chunks, left = [], size
    while left and (chunk := stream.read(left)):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class ChunkedBodyMiddleware:
    """Read a chunked body that the server de-chunked, so that the view sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> None:
        """Read the body of a chunked request up to the view's limit plus one byte."""
        chunked = request.headers.get("Transfer-Encoding", "").lower() == "chunked"
        terminated = request.META.get("wsgi.input_terminated", False)
        if not chunked or not terminated or request.META.get("CONTENT_LENGTH"):
            return
        body = read_at_most(request.META["wsgi.input"], body_limit_of(view_func) + 1)
        # Django reads the body from _stream, bounded by CONTENT_LENGTH; DRF needs the length.
        request._stream = io.BytesIO(body)
        request.META["CONTENT_LENGTH"] = str(len(body))

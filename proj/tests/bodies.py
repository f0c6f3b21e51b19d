"""Post bodies as gunicorn hands on a chunked request: no Content-Length, de-chunked input."""

import io

CHUNKED = {"HTTP_TRANSFER_ENCODING": "chunked"}


class CountingStream(io.BytesIO):
    """A body stream that remembers how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        """Read as BytesIO does, counting the bytes."""
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def post_chunked(
    client, path: str, stream: io.BytesIO, content_type: str, *, terminated=True, **extra
):
    """Post the body in ``stream`` chunked; ``terminated`` as a server that de-chunks says."""
    environ = {**CHUNKED, "wsgi.input": stream, **extra}
    if terminated:
        environ["wsgi.input_terminated"] = True
    return client.generic("POST", path, b"", content_type=content_type, **environ)

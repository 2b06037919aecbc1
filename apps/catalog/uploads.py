"""Upload size enforcement that never holds the body in memory.

``Content-Length`` is checked before anything is read. A chunked body (``Transfer-Encoding:
chunked``, no length) is accepted when the server de-chunks it for us, as gunicorn does (it says
so with ``wsgi.input_terminated``): the body is read from ``wsgi.input`` to its end, through a
cap that answers 413 as soon as more than the limit arrives. A server that passes chunked bytes
through raw (Django's ``runserver``) gets 411 ``LENGTH_REQUIRED`` instead of an upload that is
silently read as empty. Either way the file bytes stream to a temporary file, counted by
:class:`LimitedTemporaryFileUploadHandler`.
"""

from django.core.files.uploadhandler import TemporaryFileUploadHandler

from apps.catalog.exceptions import LengthRequired, PayloadTooLarge

# Room for the multipart boundaries and the small text fields around the file.
MULTIPART_OVERHEAD = 64 * 1024


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            raise PayloadTooLarge(details={"max_bytes": self.max_bytes})
        return super().receive_data_chunk(raw_data, start)


class CappedInput:
    """A de-chunked request body read to its end, but never more than ``limit`` bytes."""

    def __init__(self, stream, *, limit: int, max_bytes: int):
        self._stream = stream
        self.limit = limit
        self.max_bytes = max_bytes
        self.consumed = 0

    def _take(self, reader, size):
        room = self.limit + 1 - self.consumed  # one byte more than allowed reveals an overflow
        size = room if size is None or size < 0 else min(size, room)
        data = reader(size) if size > 0 else b""
        self.consumed += len(data)
        if self.consumed > self.limit:
            raise PayloadTooLarge(details={"max_bytes": self.max_bytes})
        return data

    def read(self, size=-1, /):
        return self._take(self._stream.read, size)

    def readline(self, size=-1, /):
        return self._take(self._stream.readline, size)


def _is_chunked(request) -> bool:
    encoding = request.META.get("HTTP_TRANSFER_ENCODING", "")
    return "chunked" in encoding.lower() and not request.META.get("CONTENT_LENGTH")


def upload_limit_enforce(request, *, max_bytes: int) -> None:
    """Call before the body is parsed (also before a CSRF check reads ``request.POST``)."""
    bound = max_bytes + MULTIPART_OVERHEAD
    if _is_chunked(request):
        if not request.META.get("wsgi.input_terminated"):
            raise LengthRequired()
        request._stream = CappedInput(request.META["wsgi.input"], limit=bound, max_bytes=max_bytes)
        # Parsers read nothing from a body of length 0: announce the cap, the end is the EOF.
        request.META["CONTENT_LENGTH"] = str(bound)
    else:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > bound:
            raise PayloadTooLarge(details={"max_bytes": max_bytes})
    request.upload_handlers = [LimitedTemporaryFileUploadHandler(request, max_bytes=max_bytes)]

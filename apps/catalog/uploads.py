"""Upload size enforcement that never holds the body in memory.

``Content-Length`` is checked before anything is read; for bodies without one (chunked), the
handler counts bytes as Django streams them to a temporary file and stops at the limit.
"""

from django.core.files.uploadhandler import TemporaryFileUploadHandler

from apps.catalog.exceptions import PayloadTooLarge

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


def upload_limit_enforce(request, *, max_bytes: int) -> None:
    """Call before the body is parsed (also before a CSRF check reads ``request.POST``)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_bytes + MULTIPART_OVERHEAD:
        raise PayloadTooLarge(details={"max_bytes": max_bytes})
    request.upload_handlers = [LimitedTemporaryFileUploadHandler(request, max_bytes=max_bytes)]

"""Serving stored media with Range and conditional requests, without Python copying the bytes.

The rules are the contract's (shared/API.md, "GET /api/v1/tracks/{id}/stream"). Conditional
requests follow RFC 9110, section 13.2.2: If-None-Match (304 on GET/HEAD), else
If-Modified-Since (304); then Range, honoured only while If-Range still matches. One range is
served as 206; several ranges are answered with the full body (RFC 9110 allows ignoring
Range). Unsatisfiable → 416 with ``Content-Range: bytes */N``.

Django decides (access, validators, headers) once; the bytes leave by the delivery mode
(``STREAM_DELIVERY``, :func:`veza.storage.delivery_mode`):

- ``sendfile`` (local disk): the body is a :class:`RangeFile` exposing the file descriptor at
  the range start with the exact ``Content-Length``; gunicorn's ``wsgi.file_wrapper`` calls
  ``socket.sendfile(fd, offset, count)``, so the kernel copies the range;
- ``accel``: ``X-Accel-Redirect`` to an nginx internal location (the media folder, or a proxy
  of the bucket), nginx evaluates Range itself;
- ``signed`` (local) and ``presigned`` (S3): a 302 to a short-lived signed URL, after which
  nginx or the object store serves every range without Django;
- ``proxy`` (S3): the app streams the range from the bucket (``Range`` passed upstream), in
  chunks, never the whole object in memory.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date, parse_http_date_safe

from apps.streaming.exceptions import RangeNotSatisfiable
from veza import storage

logger = logging.getLogger(__name__)

CACHE_PUBLIC_MEDIA = "public, max-age=604800"
CACHE_PRIVATE_MEDIA = "private, max-age=0, must-revalidate"


class RangeFile(io.RawIOBase):
    """A read-only window ``[start, start + length)`` over an open binary file."""

    def __init__(self, handle, start: int, length: int):
        super().__init__()
        self._handle = handle
        self._remaining = length
        handle.seek(start)

    def fileno(self) -> int:
        return self._handle.fileno()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        # Django's FileResponse measures seekable files; the length is set explicitly instead.
        return False

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # socket.sendfile() puts the file back at the offset it started from once it is done.
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def read(self, size: int = -1) -> bytes:
        if self._remaining <= 0:
            return b""
        if size is None or size < 0 or size > self._remaining:
            size = self._remaining
        data = self._handle.read(size)
        self._remaining -= len(data)
        return data

    def close(self) -> None:
        try:
            self._handle.close()
        finally:
            super().close()


#: Told ``(first byte, bytes read)`` once a counted body is closed (see :func:`serve_media`).
SentCallback = Callable[[int, int], None]


class CountedRangeFile(RangeFile):
    """A :class:`RangeFile` that counts what the server actually read out for the client and
    reports it when the response is closed (finished or cut short by the client).

    It hides its file descriptor, so the bytes go through :meth:`read` (no sendfile): a count
    of what ``sendfile`` was asked to send would be what the client asked for, not what left.
    """

    def __init__(self, handle, start: int, length: int, *, on_sent: SentCallback):
        super().__init__(handle, start, length)
        self._start = start
        self._sent = 0
        self._on_sent: SentCallback | None = on_sent

    def fileno(self) -> int:
        raise io.UnsupportedOperation("a counted range is read, not sent with sendfile")

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self._sent += len(data)
        return data

    def close(self) -> None:
        callback, self._on_sent = self._on_sent, None
        try:
            super().close()
        finally:
            if callback is not None:
                callback(self._start, self._sent)


@dataclass(frozen=True)
class MediaFile:
    storage_name: str  # the name in the default storage
    size: int
    content_type: str
    etag: str  # strong, quoted
    last_modified: datetime
    upstream_etag: str = ""  # the object store's ETag (S3), pins a proxied range to a version


# Byte positions are ASCII digits, at most 19 of them (any file size fits a signed 64-bit
# integer): a longer number is malformed (416), never handed to int(), which refuses over 4300
# digits.
MAX_POSITION_DIGITS = 19
_RANGE_SPEC = re.compile(
    rf"^\s*([0-9]{{0,{MAX_POSITION_DIGITS}}})\s*-\s*([0-9]{{0,{MAX_POSITION_DIGITS}}})\s*$"
)


def parse_range(header: str, size: int) -> list[tuple[int, int]] | None:
    """A ``Range`` header (RFC 9110, 14.2) as a list of (start, length); ``None`` when the
    header is absent or may be ignored (a range set larger than the file).

    Raises :class:`RangeNotSatisfiable` for a malformed header or ranges past the end.
    """
    if not header:
        return None
    if not header.startswith("bytes="):
        raise RangeNotSatisfiable(headers={"Content-Range": f"bytes */{size}"})
    ranges: list[tuple[int, int]] = []
    for part in header[len("bytes=") :].split(","):
        part = part.strip()
        if not part:
            continue
        match = _RANGE_SPEC.match(part)
        if not match or (not match.group(1) and not match.group(2)):
            raise RangeNotSatisfiable(headers={"Content-Range": f"bytes */{size}"})
        first, last = match.group(1), match.group(2)
        if not first:
            suffix = int(last)
            if suffix == 0:
                continue  # an empty suffix overlaps nothing
            suffix = min(suffix, size)
            ranges.append((size - suffix, suffix))
            continue
        start = int(first)
        if start >= size:
            continue  # past the end overlaps nothing
        if not last:
            ranges.append((start, size - start))
            continue
        end = int(last)
        if start > end:
            raise RangeNotSatisfiable(headers={"Content-Range": f"bytes */{size}"})
        end = min(end, size - 1)
        ranges.append((start, end - start + 1))
    if not ranges:
        # Only empty or past-the-end parts: nothing of the file was asked for.
        raise RangeNotSatisfiable(headers={"Content-Range": f"bytes */{size}"})
    if sum(length for _, length in ranges) > size:
        return None  # a range set larger than the file is an attack or a mistake: send it all
    return ranges


def _etag_list(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _weak_match(a: str, b: str) -> bool:
    return a.removeprefix("W/") == b.removeprefix("W/")


def _not_modified(request, media: MediaFile) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        if request.method not in ("GET", "HEAD"):
            return False
        return any(tag == "*" or _weak_match(tag, media.etag) for tag in _etag_list(if_none_match))
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if since is None or request.method not in ("GET", "HEAD"):
        return False
    return int(media.last_modified.timestamp()) <= since


def _if_range_allows(request, media: MediaFile) -> bool:
    value = request.headers.get("If-Range", "").strip()
    if not value:
        return True
    if value.startswith('"') or value.startswith("W/"):
        return value == media.etag  # strong comparison; a weak validator never matches
    date = parse_http_date_safe(value)
    return date is not None and date == int(media.last_modified.timestamp())


def _base_headers(response, media: MediaFile, cache_control: str, disposition: str | None):
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = media.etag
    response["Last-Modified"] = http_date(media.last_modified.timestamp())
    response["Cache-Control"] = cache_control
    if disposition:
        response["Content-Disposition"] = disposition
    response.veza_keep_body = True
    return response


def attachment_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 5987 UTF-8 name."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "track"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _redirect_cache_control(cache_control: str) -> str:
    """A signed link's redirect outlives it nowhere: shared caches keep a public one for at
    most half the link's life, a private one is never stored."""
    if cache_control.startswith("public"):
        age = max(settings.STREAM_URL_TTL // 2, 0)
        return f"public, max-age={age}, s-maxage={age}"
    return "private, no-store"


def _redirect(request, media: MediaFile, mode: str, cache_control: str, disposition):
    if mode == "presigned":
        location = storage.presigned_url(
            media.storage_name,
            ttl=settings.STREAM_URL_TTL,
            content_type=media.content_type,
            disposition=disposition or "",
        )
    else:
        location = storage.signed_path(
            media.storage_name, client_ip=request.META.get("REMOTE_ADDR", "")
        )
    response = HttpResponse(status=302)
    response["Location"] = location
    response["Cache-Control"] = _redirect_cache_control(cache_control)
    response.veza_keep_body = True
    return response


def _accel(media: MediaFile, cache_control: str, disposition):
    """nginx evaluates Range itself on the internal location; Django already checked access.
    On S3 the internal location proxies the bucket: the target carries a presigned query, so
    the bucket stays private and nginx holds no key."""
    response = HttpResponse(content_type=media.content_type)
    target = settings.STREAM_ACCEL_REDIRECT.rstrip("/") + "/"
    if storage.is_s3():
        url = urlsplit(
            storage.presigned_url(
                media.storage_name,
                ttl=settings.STREAM_URL_TTL,
                content_type=media.content_type,
                disposition=disposition or "",
            )
        )
        response["X-Accel-Redirect"] = f"{target}{url.path.lstrip('/')}?{url.query}"
    else:
        response["X-Accel-Redirect"] = target + quote(media.storage_name)
    return _base_headers(response, media, cache_control, disposition)


class _UpstreamBody:
    """Iterates a proxied S3 range in chunks; counts what left and reports it on close."""

    CHUNK = 64 * 1024

    def __init__(self, body, start: int, on_sent: SentCallback | None):
        self._body = body
        self._start = start
        self._sent = 0
        self._on_sent = on_sent

    def __iter__(self):
        for chunk in self._body.iter_chunks(self.CHUNK):
            self._sent += len(chunk)
            yield chunk

    def close(self) -> None:
        callback, self._on_sent = self._on_sent, None
        try:
            self._body.close()
        finally:
            if callback is not None:
                callback(self._start, self._sent)


def serve_media(
    request,
    media: MediaFile,
    *,
    cache_control: str,
    disposition: str | None = None,
    on_sent: SentCallback | None = None,
) -> HttpResponse:
    """Answer ``request`` with ``media`` (conditional requests, one range, HEAD).

    ``on_sent``: called with ``(first byte, bytes read)`` when the body is closed, for callers
    that must know what really left (lesson progress). Such a body is read by the app itself
    (no redirect, no ``X-Accel-Redirect``, no sendfile), and a HEAD or 304 reports nothing.
    """
    if _not_modified(request, media):
        response = HttpResponse(status=304)
        return _base_headers(response, media, cache_control, disposition)

    mode = storage.delivery_mode(counted=on_sent is not None)
    if mode == "signed" and disposition:
        # nginx's secure_link location cannot name the attachment: a download (one request,
        # no seeking) leaves by sendfile instead. Presigned URLs carry the disposition.
        mode = "sendfile"
    if mode in ("presigned", "signed"):
        # The client repeats Range and If-Range to the signed URL; the byte server answers.
        return _redirect(request, media, mode, cache_control, disposition)

    ranges = None
    if _if_range_allows(request, media):
        ranges = parse_range(request.headers.get("Range", ""), media.size)
    if ranges is not None and len(ranges) != 1:
        ranges = None  # several ranges: the whole file instead of multipart/byteranges

    if mode == "accel":
        return _accel(media, cache_control, disposition)

    start, length, status = 0, media.size, 200
    if ranges is not None:
        (start, length), status = ranges[0], 206

    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=media.content_type)
    elif mode == "proxy":
        body = storage.s3_range_open(
            media.storage_name,
            start=start,
            length=length,
            size=media.size,
            upstream_etag=media.upstream_etag,
        )
        response = StreamingHttpResponse(
            _UpstreamBody(body, start, on_sent), status=status, content_type=media.content_type
        )
    else:
        try:
            handle = default_storage.open(media.storage_name, "rb")
        except OSError:
            logger.error("Media file vanished while serving: %s", media.storage_name)
            raise
        if on_sent is None:
            body = RangeFile(handle, start, length)
        else:
            body = CountedRangeFile(handle, start, length, on_sent=on_sent)
        response = FileResponse(body, status=status, content_type=media.content_type)
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{start + length - 1}/{media.size}"
    return _base_headers(response, media, cache_control, disposition)

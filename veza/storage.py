"""Stored files through Django's ``STORAGES`` API, whichever backend holds them.

Local disk (``FileSystemStorage``, the embedded default) and S3-compatible object storage
(django-storages' ``S3Storage`` over boto3) answer the same questions here, so no caller needs a
local path of a stored file:

- :func:`stored_stat`: size and modification time (one ``HEAD`` on S3), or ``None``;
- :func:`local_copy`: a temporary local copy for tools that want a real file (PyAV, FFmpeg),
  downloaded in chunks and removed on exit, whatever happened;
- :func:`save_new`: store an upload under a new name, leaving nothing behind if it fails;
- :func:`save_exact`: store under exactly this name (HLS renditions, the media copy command);
- :func:`prefix_delete`: remove every file under a "directory" (HLS renditions);
- :func:`presigned_url`, :func:`s3_range_open`: the S3 serving modes;
- :func:`signed_path`: the local "signed" mode, a link nginx's ``secure_link`` module checks.

README "Serving media" explains the modes and gives the nginx snippets.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages

if TYPE_CHECKING:
    from storages.backends.s3 import S3Storage

COPY_CHUNK = 1024 * 1024

LOCAL_MODES = ("sendfile", "accel", "signed")
S3_MODES = ("presigned", "accel", "proxy")


def _resolve(storage: Storage | None) -> Storage:
    """The storage object itself (the lazy ``default_storage`` resolved)."""
    if storage is None or storage is default_storage:
        return storages["default"]
    return storage


def is_s3(storage: Storage | None = None) -> bool:
    """Whether ``storage`` (default: the default storage) is django-storages' S3 backend.

    The backend's module is only looked up once something loaded it (an S3 storage being
    built does): a web process on local disk never imports boto3, tens of MiB per worker.
    """
    target = _resolve(storage)
    module = sys.modules.get("storages.backends.s3")
    return module is not None and isinstance(target, module.S3Storage)


def _s3(storage: Storage | None = None) -> S3Storage:
    target = _resolve(storage)
    if not is_s3(target):
        raise TypeError("not an S3 storage")
    return target


def _client_error() -> type[Exception]:
    """botocore's ``ClientError``, imported when an S3 call failed (see :func:`is_s3`)."""
    from botocore.exceptions import ClientError

    return ClientError


def s3_key(storage: S3Storage, name: str) -> str:
    """The object key of a stored name (the storage's ``location`` prefix included)."""
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(name))


def delivery_mode(*, counted: bool = False) -> str:
    """How the bytes leave for the current backend: ``settings.STREAM_DELIVERY`` when it fits
    the backend (``manage.py check`` refuses one that does not), else the backend's app-served
    mode. ``counted``: the caller must see every byte that leaves (lesson progress), so the app
    itself reads them out ("sendfile" reads through Python then, "proxy" streams)."""
    s3 = is_s3()
    if counted:
        return "proxy" if s3 else "sendfile"
    mode = settings.STREAM_DELIVERY
    if mode in (S3_MODES if s3 else LOCAL_MODES):
        return mode
    return "proxy" if s3 else "sendfile"


def _missing(exc: Exception) -> bool:
    return exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


@dataclass(frozen=True)
class StoredStat:
    size: int
    modified: datetime  # aware, whole seconds
    upstream_etag: str = ""  # the object store's own ETag (S3), to pin a ranged read to it


def stored_stat(name: str, storage: Storage | None = None) -> StoredStat | None:
    """Size and modification time of a stored file, or ``None`` when nothing is stored there."""
    storage = _resolve(storage)
    if not name:
        return None
    if is_s3(storage):
        s3 = _s3(storage)
        try:
            head = s3.connection.meta.client.head_object(
                Bucket=s3.bucket_name, Key=s3_key(s3, name)
            )
        except _client_error() as exc:
            if _missing(exc):
                return None
            raise
        modified = head["LastModified"].astimezone(UTC).replace(microsecond=0)
        return StoredStat(
            size=int(head["ContentLength"]), modified=modified, upstream_etag=head.get("ETag", "")
        )
    try:
        size = storage.size(name)
        modified = storage.get_modified_time(name)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)
    return StoredStat(size=size, modified=modified.astimezone(UTC).replace(microsecond=0))


@contextlib.contextmanager
def local_copy(name: str, *, suffix: str = "", storage: Storage | None = None) -> Iterator[str]:
    """A temporary local copy of a stored file, for tools that need a real file; the copy (and
    its folder) is removed on exit, also when the block raises or the task is retried.

    The bytes arrive in chunks (S3: boto3's ranged multipart download), never whole in memory.
    """
    storage = _resolve(storage)
    with tempfile.TemporaryDirectory(prefix="veza-media-") as work:
        path = os.path.join(work, "source" + suffix)
        with open(path, "wb") as target:
            if is_s3(storage):
                s3 = _s3(storage)
                try:
                    s3.bucket.download_fileobj(s3_key(s3, name), target)
                except _client_error() as exc:
                    if _missing(exc):
                        raise FileNotFoundError(name) from exc
                    raise
            else:
                with storage.open(name, "rb") as source:
                    shutil.copyfileobj(source, target, COPY_CHUNK)
        yield path


def save_new(name: str, content, storage: Storage | None = None) -> str:
    """Store ``content`` under a new, generated ``name`` (a UUID: nothing else is there), and
    leave nothing behind when the write fails part-way.

    The content streams from its file (an upload spooled to a temporary file above
    ``FILE_UPLOAD_MAX_MEMORY_SIZE``) in chunks: on disk ``FileSystemStorage`` writes chunk by
    chunk (and would keep a truncated file), on S3 boto3 sends a multipart upload above 8 MiB
    (and aborts it on failure); either way the partial object is removed here.
    """
    storage = _resolve(storage)
    try:
        return storage.save(name, content)
    except BaseException:
        with contextlib.suppress(Exception):
            if storage.exists(name):
                storage.delete(name)
        raise


def save_exact(name: str, content, storage: Storage | None = None) -> str:
    """Store ``content`` under exactly ``name``, replacing what is there (the storage's own
    ``save`` would pick another name). Raises if the backend still renames it."""
    storage = _resolve(storage)
    if storage.exists(name):
        storage.delete(name)
    stored = storage.save(name, content)
    if stored != name:
        storage.delete(stored)
        raise RuntimeError(f"storage stored {name} as {stored}")
    return stored


def prefix_delete(directory: str, storage: Storage | None = None) -> int:
    """Delete every file under ``directory`` (and, on disk, the emptied folders); returns the
    number of files deleted. A missing directory is fine."""
    storage = _resolve(storage)
    directory = directory.rstrip("/")
    deleted = 0
    if is_s3(storage):
        s3 = _s3(storage)
        prefix = s3_key(s3, directory) + "/"
        batch = []
        for obj in s3.bucket.objects.filter(Prefix=prefix):
            batch.append({"Key": obj.key})
            if len(batch) == 1000:
                s3.bucket.delete_objects(Delete={"Objects": batch, "Quiet": True})
                deleted += len(batch)
                batch = []
        if batch:
            s3.bucket.delete_objects(Delete={"Objects": batch, "Quiet": True})
            deleted += len(batch)
        return deleted
    try:
        dirs, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for filename in files:
        storage.delete(f"{directory}/{filename}")
        deleted += 1
    for sub in dirs:
        deleted += prefix_delete(f"{directory}/{sub}", storage)
    if isinstance(storage, FileSystemStorage):
        # Empty folders are the local backend's own leftovers (S3 has none): remove them too.
        with contextlib.suppress(OSError):
            os.rmdir(storage.path(directory))
    return deleted


def presigned_url(
    name: str,
    *,
    ttl: int,
    content_type: str = "",
    disposition: str = "",
    storage: Storage | None = None,
) -> str:
    """A short-lived presigned GET URL of a stored object, answering with ``content_type`` and
    ``disposition``. Always signed, also with ``AWS_S3_CUSTOM_DOMAIN`` (which only serves
    public objects): a private track never gets a long-lived public link."""
    s3 = _s3(storage)
    params = {"Bucket": s3.bucket_name, "Key": s3_key(s3, name)}
    if content_type:
        params["ResponseContentType"] = content_type
    if disposition:
        params["ResponseContentDisposition"] = disposition
    return s3.connection.meta.client.generate_presigned_url(
        "get_object", Params=params, ExpiresIn=ttl
    )


def s3_range_open(
    name: str,
    *,
    start: int,
    length: int,
    size: int,
    upstream_etag: str = "",
    storage: Storage | None = None,
):
    """The streaming body of bytes ``[start, start + length)`` of a stored object.

    The range goes upstream (``Range``), pinned to the version that was described
    (``If-Match`` on the object's ETag), so an object replaced in between is an error, not a
    splice of two files. The caller closes the body.
    """
    s3 = _s3(storage)
    params = {"Bucket": s3.bucket_name, "Key": s3_key(s3, name)}
    if start or length != size:
        params["Range"] = f"bytes={start}-{start + length - 1}"
    if upstream_etag:
        params["IfMatch"] = upstream_etag
    return s3.connection.meta.client.get_object(**params)["Body"]


def signed_path(name: str, *, client_ip: str = "", now: float | None = None) -> str:
    """The "signed" mode link of a stored file: ``<STREAM_SIGNED_PREFIX><name>?md5=…&expires=…``.

    nginx's ``secure_link`` checks it with
    ``secure_link_md5 "$secure_link_expires$uri$remote_addr <secret>"`` (``$remote_addr`` only
    with ``STREAM_SIGNED_BIND_IP``): the MD5 of expiry, path, address and secret, base64url
    without padding. MD5 is what the module offers; the secret keeps it unforgeable.
    """
    prefix = settings.STREAM_SIGNED_PREFIX
    parts = urlsplit(prefix)
    path = parts.path.rstrip("/") + "/" + name.lstrip("/")
    expires = int(now if now is not None else time.time()) + settings.STREAM_URL_TTL
    address = client_ip if settings.STREAM_SIGNED_BIND_IP else ""
    material = f"{expires}{path}{address} {settings.STREAM_SIGNED_SECRET}".encode()
    digest = hashlib.md5(material).digest()  # noqa: S324 - nginx secure_link's scheme, keyed
    token = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return f"{origin}{quote(path)}?md5={token}&expires={expires}"

"""Writing the export archive: one JSON Lines file per exporter, the user's media, a manifest
and a README, streamed into a ZIP in a temporary file and saved through default storage.

Nothing is held whole in memory: rows go from a database iterator straight into the ZIP entry,
media files are copied from storage in chunks, and the finished archive is handed to storage as
a file (a local folder today, an object store tomorrow; no local path is assumed).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder

from apps.gdpr.exporters import EXPORTERS, Exporter
from veza import storage

#: Bump when a file's shape changes in a way a reader of older archives would notice.
FORMAT_VERSION = "1.0"
COPY_CHUNK = 1024 * 1024
_ENCODER = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass
class ArchiveEntry:
    name: str
    description: str
    records: int | None = None
    bytes: int = 0
    sha256: str = ""


@dataclass
class BuiltArchive:
    name: str
    size: int
    sha256: str
    entries: list[ArchiveEntry] = field(default_factory=list)


class _HashingWriter:
    """Counts and hashes what goes into one ZIP entry."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.stream.write(data)


def _write_rows(archive: zipfile.ZipFile, exporter: Exporter, user, cut_off) -> ArchiveEntry:
    entry = ArchiveEntry(exporter.filename, exporter.description, records=0)
    with archive.open(exporter.filename, "w", force_zip64=True) as stream:
        writer = _HashingWriter(stream)
        for row in exporter.rows(user, cut_off):
            writer.write(_ENCODER.encode(row).encode() + b"\n")
            entry.records += 1
    entry.bytes, entry.sha256 = writer.size, writer.digest.hexdigest()
    return entry


def _copy_media(archive: zipfile.ZipFile, path: str, storage_name: str) -> ArchiveEntry | None:
    """Copy one stored file; a file missing from storage is listed in the README, not fatal
    (one lost upload must not make the whole archive impossible)."""
    if not default_storage.exists(storage_name):
        return None
    entry = ArchiveEntry(path, "A file you uploaded.")
    with (
        default_storage.open(storage_name, "rb") as source,
        archive.open(path, "w", force_zip64=True) as stream,
    ):
        writer = _HashingWriter(stream)
        while chunk := source.read(COPY_CHUNK):
            writer.write(chunk)
    entry.bytes, entry.sha256 = writer.size, writer.digest.hexdigest()
    return entry


def _readme(user_id: str, cut_off: datetime, entries: list[ArchiveEntry], missing: list[str]):
    lines = [
        "Your Veza data",
        "==============",
        "",
        f"Account id: {user_id}",
        f"Everything Veza held about you up to {cut_off.isoformat()} (UTC).",
        "",
        "Each .jsonl file holds one JSON object per line (JSON Lines), readable by any JSON",
        "tool or spreadsheet importer. Times are ISO 8601 in UTC; money is a decimal string",
        "with its currency. Other people appear only by display name and id.",
        "manifest.json lists every file with its number of records and its SHA-256 checksum,",
        "so you can check that nothing is missing or altered.",
        "",
        "Files",
        "-----",
    ]
    for entry in entries:
        if entry.records is not None:
            lines.append(f"{entry.name} ({entry.records} records)")
            lines.append(f"    {entry.description}")
    media = [entry.name for entry in entries if entry.records is None]
    folders = sorted({name.split("/", 1)[0] for name in media})
    for folder in folders:
        count = sum(1 for name in media if name.startswith(f"{folder}/"))
        lines += [f"{folder}/", f"    Files you uploaded, as you uploaded them ({count} files)."]
    if missing:
        lines += ["", "These uploaded files could not be found in storage and are missing:"]
        lines += [f"    {name}" for name in missing]
    return "\n".join(lines) + "\n"


def archive_build(*, user, export_id, cut_off: datetime, exporters=None) -> BuiltArchive:
    """Build the archive of ``user`` as of ``cut_off`` and save it; returns where and what."""
    entries: list[ArchiveEntry] = []
    missing: list[str] = []
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for exporter in exporters if exporters is not None else EXPORTERS:
                entries.append(_write_rows(zf, exporter, user, cut_off))
                for path, storage_name in (exporter.media or (lambda u, c: ()))(user, cut_off):
                    copied = _copy_media(zf, path, storage_name)
                    if copied is None:
                        missing.append(path)
                    else:
                        entries.append(copied)
            manifest = {
                "format_version": FORMAT_VERSION,
                "user_id": str(user.pk),
                "cut_off": cut_off.isoformat(),
                "files": [
                    {
                        "name": entry.name,
                        "records": entry.records,
                        "bytes": entry.bytes,
                        "sha256": entry.sha256,
                        "description": entry.description,
                    }
                    for entry in entries
                ],
                "missing_files": missing,
            }
            zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
            zf.writestr("README.txt", _readme(str(user.pk), cut_off, entries, missing))
        size = spool.tell()
        spool.seek(0)
        digest = hashlib.sha256()
        while chunk := spool.read(COPY_CHUNK):
            digest.update(chunk)
        spool.seek(0)
        name = storage.save_new(f"gdpr/exports/{export_id}.zip", File(spool))
    return BuiltArchive(name=name, size=size, sha256=digest.hexdigest(), entries=entries)

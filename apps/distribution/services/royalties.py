"""Importing a distributor's royalty report, and matching lines to tracks later.

Contract: shared/API.md "POST /api/v1/royalties/import" (re-importing the same report adds
nothing). The report is CSV or TSV with the columns distributors share (DistroKid's TSV,
TuneCore's CSV): reporting date, sale month, store, country, artist, title, ISRC, UPC, quantity,
earnings, currency.

Memory stays flat whatever the size: the file is hashed in chunks, then parsed line by line by
the ``csv`` module over a text wrapper, and valid lines go to a temporary staging table in
batches (PostgreSQL ``COPY``; batched inserts elsewhere). One set-based ``INSERT … SELECT`` then
numbers identical lines within the file (``occurrence``), matches ISRCs to tracks and skips
lines already imported (``ON CONFLICT DO NOTHING`` on the unique line key).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.catalog.models import Track
from apps.distribution import tasks
from apps.distribution.models import (
    EARNINGS,
    IMPORT_ACTIVE_STATUSES,
    ImportStatus,
    Platform,
    PlatformCoverage,
    RoyaltyImport,
    RoyaltyLine,
    RoyaltySplit,
    TrackIsrc,
)
from apps.distribution.services.splits import (
    LINE_FIELDS,
    line_payees_assign,
    line_shares_write,
)
from apps.distribution.services.submissions import isrc_is_valid, isrc_normalize
from veza import storage
from veza.api.exceptions import ApplicationError, ValidationFailed
from veza.audit import RequestMeta, audit_record
from veza.jobs import StalledJobs, job_claim, job_lease_expired, stalled_jobs_requeue

logger = logging.getLogger(__name__)

#: Accepted header names per column (lower case, spaces, parentheses dropped).
COLUMNS = {
    "reporting_date": ("reporting date", "report date", "reporting_date"),
    "sale_month": ("sale month", "sales month", "sale_month", "sale period", "period"),
    "store": ("store", "platform", "service", "dsp", "retailer"),
    "country": ("country", "country of sale", "territory"),
    "artist": ("artist", "artist name"),
    "title": ("title", "song title", "track title", "track"),
    "isrc": ("isrc",),
    "upc": ("upc",),
    "quantity": ("quantity", "units", "streams"),
    "earnings": ("earnings", "earnings usd", "amount", "revenue", "net revenue", "royalty"),
    "currency": ("currency",),
}
REQUIRED = ("sale_month", "store", "isrc", "earnings")
#: Store names as distributors spell them, to the platform codes of the rest of the API.
STORE_ALIASES = {
    "spotify": Platform.SPOTIFY,
    "apple music": Platform.APPLE_MUSIC,
    "applemusic": Platform.APPLE_MUSIC,
    "itunes": Platform.APPLE_MUSIC,
    "apple": Platform.APPLE_MUSIC,
    "deezer": Platform.DEEZER,
}
#: How many line errors the report keeps (all are counted).
MAX_REPORTED_ERRORS = 100
EARNINGS_QUANTUM = Decimal(1).scaleb(-EARNINGS["decimal_places"])
EARNINGS_LIMIT = Decimal(10) ** (EARNINGS["max_digits"] - EARNINGS["decimal_places"])
CHUNK = 1024 * 1024
STAGING = "distribution_royalty_staging"
STAGING_COLUMNS = (
    "line_number",
    "line_hash",
    "reporting_date",
    "sale_month",
    "platform",
    "store",
    "country",
    "artist",
    "title",
    "isrc",
    "upc",
    "quantity",
    "earnings",
    "currency",
)
#: Where big reports wait for their import (private: only the worker reads them).
IMPORTS_DIRECTORY = "royalties/imports"
_DATE_RE = re.compile(r"^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?$")


@dataclass(frozen=True)
class ImportResult:
    royalty_import: RoyaltyImport
    created: bool


def file_sha256(file: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    file.seek(0)
    while chunk := file.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


@lru_cache(maxsize=1024)
def platform_code(store: str) -> str:
    key = re.sub(r"[^a-z0-9]+", " ", store.lower()).strip()
    if key in STORE_ALIASES:
        return STORE_ALIASES[key]
    return key.replace(" ", "_")[:32]


# Reports repeat a few dates, stores and ISRCs over millions of lines: the parsers below are
# cached (bounded), which halves the time spent per line.
@lru_cache(maxsize=4096)
def _month(value: str) -> date:
    match = _DATE_RE.match(value)
    if not match:
        raise ValueError("Use YYYY-MM or YYYY-MM-DD.")
    return date(int(match[1]), int(match[2]), 1)


@lru_cache(maxsize=4096)
def _day(value: str) -> date | None:
    if not value:
        return None
    match = _DATE_RE.match(value)
    if not match or not match[3]:
        raise ValueError("Use YYYY-MM-DD.")
    return date(int(match[1]), int(match[2]), int(match[3]))


@lru_cache(maxsize=65536)
def _isrc(value: str) -> str | None:
    isrc = isrc_normalize(value)
    return isrc if isrc_is_valid(isrc) else None


def _header_key(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[()_]", " ", name.lower().lstrip("\ufeff"))).strip()


def _column_indexes(header: list[str]) -> tuple[int | None, ...]:
    """Where each column of :data:`COLUMNS` is in the header (``None``: absent)."""
    names = [_header_key(name) for name in header]
    indexes: dict[str, int] = {}
    for column, aliases in COLUMNS.items():
        for alias in aliases:
            key = _header_key(alias)
            if key in names:
                indexes[column] = names.index(key)
                break
    missing = [column for column in REQUIRED if column not in indexes]
    if missing:
        raise ValidationFailed(
            "The report lacks required columns.",
            details={"file": [f"Missing column(s): {', '.join(missing)}."]},
        )
    return tuple(indexes.get(column) for column in COLUMNS)


def _parse_line(row: list[str], layout: tuple[int | None, ...]) -> tuple[tuple, dict]:
    """One line's values in staging order (without line number and hash), or its errors."""
    size = len(row)
    (
        reporting_date,
        sale_month,
        store,
        country,
        artist,
        title,
        isrc_text,
        upc,
        quantity_text,
        earnings_text,
        currency,
    ) = (row[i].strip() if i is not None and i < size else "" for i in layout)
    errors: dict[str, list[str]] = {}
    try:
        reporting_date = _day(reporting_date)
    except ValueError as error:
        errors["reporting_date"] = [str(error)]
    try:
        sale_month = _month(sale_month)
    except ValueError as error:
        errors["sale_month"] = [str(error)]
    if not store:
        errors["store"] = ["Required."]
    isrc = _isrc(isrc_text)
    if isrc is None:
        errors["isrc"] = ["Not an ISRC (CC-XXX-YY-NNNNN)."]
    country = country.upper()
    if country and not (len(country) == 2 and country.isalpha()):
        errors["country"] = ["A two-letter country code."]
    try:
        quantity = int(quantity_text.replace(",", "")) if quantity_text else 0
        if abs(quantity) >= 2**62:
            raise ValueError
    except ValueError:
        errors["quantity"] = ["A whole number."]
        quantity = 0
    try:
        earnings = Decimal(earnings_text)
        if not earnings.is_finite() or abs(earnings) >= EARNINGS_LIMIT:
            raise InvalidOperation
        earnings = earnings.quantize(EARNINGS_QUANTUM)
    except (InvalidOperation, ValueError):
        errors["earnings"] = ["A decimal amount, e.g. 0.0042."]
        earnings = None
    if layout[-1] is not None:
        currency = currency.upper()
        if not (len(currency) == 3 and currency.isalpha()):
            errors["currency"] = ["A three-letter currency code."]
    else:
        currency = "USD"  # reports without the column are in US dollars (DistroKid's)
    if errors:
        return (), errors
    return (
        reporting_date,
        sale_month,
        platform_code(store),
        store[:64],
        country,
        artist[:255],
        title[:255],
        isrc,
        upc[:14],
        quantity,
        earnings,
        currency,
    ), {}


def _line_hash(values: tuple) -> bytes:
    """The identity of a line: its normalised values (the store's code, not its spelling)."""
    canonical = "\x1f".join(
        "" if value is None else str(value) for value in values[:3] + values[4:]
    )
    return hashlib.sha256(canonical.encode()).digest()


def _staging_create(cursor) -> None:
    binary = "bytea" if connection.vendor == "postgresql" else "blob"
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGING} ("
        f"line_number integer, line_hash {binary}, reporting_date date, sale_month date, "
        "platform varchar(32), store varchar(64), country varchar(2), artist varchar(255), "
        "title varchar(255), isrc varchar(12), upc varchar(14), quantity bigint, "
        "earnings numeric(24, 12), currency varchar(3))"
    )


def _staging_write(cursor, rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(
            f"COPY {STAGING} ({', '.join(STAGING_COLUMNS)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(STAGING_COLUMNS))
        cursor.executemany(
            f"INSERT INTO {STAGING} ({', '.join(STAGING_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608 - names are constants, values are parameters
            [(*row[:12], str(row[12]) if row[12] is not None else None, row[13]) for row in rows],
        )


def _db(value, field):
    return field.get_db_prep_value(value, connection)


def _lines_insert(cursor, *, royalty_import: RoyaltyImport, now: datetime) -> tuple[int, int]:
    """Staged lines into the table: numbered per identical line, matched by ISRC, lines
    already imported skipped. Returns how many were new, and how many of those unmatched."""
    line, isrc = RoyaltyLine._meta, TrackIsrc._meta
    columns = ", ".join(STAGING_COLUMNS[2:])
    staged = ", ".join(f"s.{column}" for column in STAGING_COLUMNS[2:])
    track, split = Track._meta.db_table, RoyaltySplit._meta.db_table
    insert = (
        f"INSERT INTO {line.db_table} (royalty_import_id, line_number, line_hash, occurrence, "  # noqa: S608 - names are constants, values are parameters
        f"{columns}, track_id, matched_at, payee_id, is_split) "
        f"SELECT %s, s.line_number, s.line_hash, "
        f"ROW_NUMBER() OVER (PARTITION BY s.line_hash ORDER BY s.line_number), {staged}, "
        f"i.track_id, CASE WHEN i.track_id IS NULL THEN NULL ELSE %s END, t.owner_id, "
        f"EXISTS (SELECT 1 FROM {split} sp "
        f"WHERE sp.track_id = i.track_id AND sp.effective_from <= s.sale_month) "
        f"FROM {STAGING} s LEFT JOIN {isrc.db_table} i ON i.isrc = s.isrc "
        f"LEFT JOIN {track} t ON t.id = i.track_id WHERE TRUE "
        f"ON CONFLICT (line_hash, occurrence) DO NOTHING"
    )
    params = [
        _db(royalty_import.pk, RoyaltyImport._meta.pk),
        _db(now, RoyaltyLine._meta.get_field("matched_at")),
    ]
    if connection.vendor == "postgresql":
        # Counted on the way in: no second pass over a million rows.
        cursor.execute(
            f"WITH new AS ({insert} RETURNING track_id) "  # noqa: S608 - as above
            "SELECT count(*), count(*) - count(track_id) FROM new",
            params,
        )
        imported, unmatched = cursor.fetchone()
        return imported, unmatched
    cursor.execute(insert, params)
    imported = max(cursor.rowcount, 0)
    unmatched = RoyaltyLine.objects.filter(royalty_import=royalty_import, track=None).count()
    return imported, unmatched


def _coverage_update(cursor) -> None:
    """Raise each platform's "reported through" month to the latest this report has."""
    cursor.execute(f"SELECT platform, MAX(sale_month) FROM {STAGING} GROUP BY platform")  # noqa: S608 - a constant
    for platform, latest in sorted(cursor.fetchall()):
        if isinstance(latest, str):  # SQLite returns dates of raw queries as text
            latest = date.fromisoformat(latest)
        coverage, created = PlatformCoverage.objects.select_for_update().get_or_create(
            platform=platform, defaults={"reported_through": latest}
        )
        if not created and coverage.reported_through < latest:
            coverage.reported_through = latest
            coverage.save(update_fields=["reported_through", "updated_at"])


def _serialize_imports(cursor) -> None:
    """One import at a time (PostgreSQL advisory lock until commit), so the duplicate count of
    each report is exact; SQLite serialises writers on its own."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [STAGING])
        # Numbering identical lines sorts the whole report: in memory, not on disk.
        cursor.execute("SET LOCAL work_mem = '256MB'")


def _lines_import(
    cursor, *, record: RoyaltyImport, file: IO[bytes], batch_size: int, now: datetime
) -> None:
    """Read the report into ``record``'s lines and fill in its counts (saved by the caller).
    Runs inside the caller's transaction, under the import lock: a refused file leaves
    nothing."""
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        header_line = text.readline()
        delimiter = "\t" if header_line.count("\t") > header_line.count(",") else ","
        if header_line.count(";") > max(header_line.count("\t"), header_line.count(",")):
            delimiter = ";"
        header = next(csv.reader([header_line], delimiter=delimiter), [])
        layout = _column_indexes(header)
        _staging_create(cursor)
        total = valid = error_count = 0
        errors: list[dict] = []
        batch: list[tuple] = []
        reader = csv.reader(text, delimiter=delimiter)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            total += 1
            line_number = reader.line_num + 1  # the header is line 1
            values, line_errors = _parse_line(row, layout)
            if line_errors:
                error_count += 1
                if len(errors) < MAX_REPORTED_ERRORS:
                    errors.append({"line": line_number, "errors": line_errors})
                continue
            valid += 1
            batch.append((line_number, _line_hash(values), *values))
            if len(batch) >= batch_size:
                _staging_write(cursor, batch)
                batch = []
        _staging_write(cursor, batch)
    except (UnicodeDecodeError, csv.Error) as error:
        raise ValidationFailed(
            "The report could not be read.",
            details={"file": [f"Not a UTF-8 CSV/TSV report: {error}"[:300]]},
        ) from error
    finally:
        text.detach()
    imported, unmatched = _lines_insert(cursor, royalty_import=record, now=now)
    _coverage_update(cursor)
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    line_shares_write(
        lines=RoyaltyLine.objects.filter(royalty_import=record, is_split=True)
        .order_by("pk")
        .values_list(*LINE_FIELDS, named=True)
        .iterator(chunk_size=5000)
    )
    record.lines_total = total
    record.lines_imported = imported
    record.lines_duplicate = valid - imported
    record.lines_error = error_count
    record.lines_unmatched = unmatched
    record.errors = errors


def _import_audit(*, record: RoyaltyImport, actor, meta: RequestMeta | None) -> None:
    audit_record(
        action="royalty.import",
        actor=actor,
        target=record,
        meta=meta,
        metadata={
            "file_name": record.file_name,
            "sha256": record.sha256,
            "imported": record.lines_imported,
            "duplicates": record.lines_duplicate,
            "unmatched": record.lines_unmatched,
            "errors": record.lines_error,
        },
    )


@transaction.atomic
def royalty_import(
    *,
    file: IO[bytes],
    file_name: str,
    actor=None,
    meta: RequestMeta | None = None,
    batch_size: int | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Import a royalty report now, within the caller's request. The same file again returns
    its first import (``created`` false) and adds nothing; identical lines inside one file are
    all kept (``occurrence``).

    Invalid lines are skipped and reported with their line numbers; lines whose ISRC matches no
    track wait in the admin's unmatched queue. Big reports go through
    :func:`royalty_import_queue` instead (a request must finish within gunicorn's timeout).
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.ROYALTY_IMPORT_BATCH_SIZE
    sha256, size = file_sha256(file)
    existing = RoyaltyImport.objects.filter(sha256=sha256).first()
    if existing is not None:
        return ImportResult(existing, created=False)
    with connection.cursor() as cursor:
        _serialize_imports(cursor)
        existing = RoyaltyImport.objects.filter(sha256=sha256).first()
        if existing is not None:  # the same file, imported while we waited
            return ImportResult(existing, created=False)
        record = RoyaltyImport.objects.create(
            file_name=file_name[:255],
            sha256=sha256,
            size=size,
            imported_by=actor,
            status=ImportStatus.DONE,
            created_at=now,
            started_at=now,
        )
        _lines_import(cursor, record=record, file=file, batch_size=batch_size, now=now)
    record.finished_at = timezone.now()
    record.save()
    _import_audit(record=record, actor=actor, meta=meta)
    return ImportResult(record, created=True)


def royalty_import_is_queued(*, size: int) -> bool:
    """Whether a report of ``size`` bytes is imported by a task rather than in its request
    (``ROYALTY_IMPORT_SYNC_MAX_BYTES``)."""
    return size > settings.ROYALTY_IMPORT_SYNC_MAX_BYTES


def royalty_import_queue(
    *,
    file: IO[bytes],
    file_name: str,
    actor=None,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Store a big report and queue its import (:func:`royalty_import_process`, on the
    ``default`` queue). The same file again returns its first import, whatever its status
    (``created`` false), and stores nothing: the unique SHA-256 makes two simultaneous uploads
    of one file a single import (the second insert waits for the first and then fails)."""
    now = now or timezone.now()
    sha256, size = file_sha256(file)
    existing = RoyaltyImport.objects.filter(sha256=sha256).first()
    if existing is not None:
        return ImportResult(existing, created=False)
    extension = "tsv" if file_name.lower().endswith(".tsv") else "csv"
    stored = storage.save_new(
        f"{IMPORTS_DIRECTORY}/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}", File(file)
    )
    try:
        with transaction.atomic():
            record = RoyaltyImport.objects.create(
                file_name=file_name[:255],
                sha256=sha256,
                size=size,
                imported_by=actor,
                status=ImportStatus.QUEUED,
                file=stored,
                created_at=now,
                deadline=now + timedelta(seconds=settings.JOBS_QUEUE_TIMEOUT_SECONDS),
            )
            audit_record(
                action="royalty.import_queued",
                actor=actor,
                target=record,
                meta=meta,
                metadata={"file_name": record.file_name, "sha256": sha256, "size": size},
            )
            import_id = str(record.pk)
            transaction.on_commit(lambda: tasks.royalty_import_process.delay(import_id))
    except IntegrityError:
        default_storage.delete(stored)
        return ImportResult(RoyaltyImport.objects.get(sha256=sha256), created=False)
    return ImportResult(record, created=True)


def _failure(error: Exception) -> dict:
    if isinstance(error, ApplicationError):
        return {"code": str(error.code), "message": error.message, "details": error.details}
    return {
        "code": "IMPORT_FAILED",
        "message": "The import stopped on an unexpected error; staff may retry it.",
        "details": {"error": [type(error).__name__]},
    }


def royalty_import_process(*, import_id, now: datetime | None = None) -> RoyaltyImport | None:
    """Import a queued report. Only the worker whose conditional UPDATE moves the row to
    ``running`` imports it (a second delivery of the task does nothing) unless the claim's
    deadline passed (its worker was lost: :mod:`veza.jobs`).

    The lines, the counts and ``done`` commit together, so a failed or killed import leaves no
    line: a refused file is ``failed`` with the error the synchronous import would have
    answered, and keeps its stored file for a retry. A done import's file is deleted."""
    now = now or timezone.now()
    claimable = Q(status=ImportStatus.QUEUED) | Q(
        job_lease_expired(deadline_field="deadline", now=now), status=ImportStatus.RUNNING
    )
    claimed = RoyaltyImport.objects.filter(claimable, pk=import_id).update(
        status=ImportStatus.RUNNING,
        started_at=now,
        **job_claim(
            task=tasks.royalty_import_process.name,
            attempts_field="attempts",
            deadline_field="deadline",
            now=now,
        ),
    )
    if not claimed:
        return None
    record = RoyaltyImport.objects.select_related("imported_by").get(pk=import_id)
    try:
        with (
            storage.local_copy(record.file) as path,
            open(path, "rb") as file,
            transaction.atomic(),
        ):
            with connection.cursor() as cursor:
                _serialize_imports(cursor)
                _lines_import(
                    cursor,
                    record=record,
                    file=file,
                    batch_size=settings.ROYALTY_IMPORT_BATCH_SIZE,
                    now=now,
                )
            finished = timezone.now()
            done = RoyaltyImport.objects.filter(pk=import_id, status=ImportStatus.RUNNING).update(
                status=ImportStatus.DONE,
                finished_at=finished,
                file="",
                error={},
                lines_total=record.lines_total,
                lines_imported=record.lines_imported,
                lines_duplicate=record.lines_duplicate,
                lines_error=record.lines_error,
                lines_unmatched=record.lines_unmatched,
                errors=record.errors,
            )
            if not done:
                # The job sweeper failed this import meanwhile: its lines must not stay.
                raise ImportAbandoned()
            _import_audit(record=record, actor=record.imported_by, meta=None)
            stored = record.file
            transaction.on_commit(lambda: default_storage.delete(stored))
    except ImportAbandoned:
        return RoyaltyImport.objects.get(pk=import_id)
    except Exception as error:
        if not isinstance(error, ApplicationError):
            logger.exception("Royalty import %s failed", import_id)
        RoyaltyImport.objects.filter(pk=import_id, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(), error=_failure(error)
        )
    return RoyaltyImport.objects.get(pk=import_id)


class ImportAbandoned(Exception):
    """The import row left ``running`` while its lines were written (rolled back)."""


ROYALTY_IMPORT = StalledJobs(
    name="royalty.import",
    task="distribution.royalty_import_process",
    model=RoyaltyImport,
    active=Q(status__in=IMPORT_ACTIVE_STATUSES),
    attempts_field="attempts",
    deadline_field="deadline",
    queued_since_field="created_at",
    requeue={"status": ImportStatus.QUEUED},
    fail=lambda reason, now: {
        "status": ImportStatus.FAILED,
        "finished_at": now,
        "error": {"code": "IMPORT_STALLED", "message": reason, "details": {}},
    },
)


def royalty_imports_requeue_stalled(*, now: datetime | None = None) -> dict[str, int]:
    """Imports still queued or running past their deadline (a worker died, the broker lost the
    task) are sent again, or failed after ``JOBS_MAX_ATTEMPTS`` starts (audited
    ``royalty.import.requeued`` / ``.failed``); a failed one keeps its file for a retry."""
    return stalled_jobs_requeue(jobs=ROYALTY_IMPORT, now=now)


def royalty_import_retry(
    *, record: RoyaltyImport, actor, reason: str, meta: RequestMeta | None = None
) -> bool:
    """Queue a failed import again (staff, with a reason; audited ``royalty.import_retry``).
    Only a failed import whose report is still stored can be retried; returns whether it was
    queued."""
    now = timezone.now()
    with transaction.atomic():
        queued = (
            RoyaltyImport.objects.filter(pk=record.pk, status=ImportStatus.FAILED)
            .exclude(file="")
            .update(
                status=ImportStatus.QUEUED,
                attempts=0,
                error={},
                started_at=None,
                finished_at=None,
                deadline=now + timedelta(seconds=settings.JOBS_QUEUE_TIMEOUT_SECONDS),
            )
        )
        if not queued:
            return False
        audit_record(
            action="royalty.import_retry",
            actor=actor,
            target=record,
            meta=meta,
            metadata={"file_name": record.file_name, "reason": reason},
        )
        import_id = str(record.pk)
        transaction.on_commit(lambda: tasks.royalty_import_process.delay(import_id))
    return True


@transaction.atomic
def royalty_lines_match(
    *, line_ids: list, track=None, actor=None, meta: RequestMeta | None = None
) -> int:
    """Match unmatched lines: to ``track`` when staff choose it, else by their ISRC (a track
    that got its ISRC since the import). Their shares are written with the split in force for
    their sale month. Returns how many lines were matched."""
    now = timezone.now()
    lines = list(
        RoyaltyLine.objects.select_for_update()
        # Never matched: a line whose track was deleted keeps its payee (and its statement).
        .filter(pk__in=line_ids, track__isnull=True, payee__isnull=True)
        .order_by("pk")
    )
    if track is None:
        by_isrc = dict(
            TrackIsrc.objects.filter(isrc__in={line.isrc for line in lines}).values_list(
                "isrc", "track_id"
            )
        )
    matched = []
    for line in lines:
        track_id = track.pk if track is not None else by_isrc.get(line.isrc)
        if track_id is None:
            continue
        line.track_id, line.matched_at = track_id, now
        matched.append(line)
    line_payees_assign(lines=matched)
    RoyaltyLine.objects.bulk_update(
        matched, ["track", "matched_at", "payee", "is_split"], batch_size=1000
    )
    line_shares_write(lines=[line for line in matched if line.is_split])
    if matched:
        audit_record(
            action="royalty.lines_match",
            actor=actor,
            meta=meta,
            target=track,
            metadata={
                "lines": len(matched),
                "track_id": str(track.pk) if track is not None else None,
                "by": "staff" if track is not None else "isrc",
            },
        )
    return len(matched)

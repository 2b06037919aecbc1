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
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from apps.catalog.models import Track
from apps.distribution.models import (
    EARNINGS,
    Platform,
    PlatformCoverage,
    RoyaltyImport,
    RoyaltyLine,
    RoyaltyShare,
    RoyaltySplit,
    TrackIsrc,
)
from apps.distribution.services.splits import line_shares_write
from apps.distribution.services.submissions import isrc_is_valid, isrc_normalize
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record

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


def platform_code(store: str) -> str:
    key = re.sub(r"[^a-z0-9]+", " ", store.lower()).strip()
    if key in STORE_ALIASES:
        return STORE_ALIASES[key]
    return key.replace(" ", "_")[:32]


def _month(value: str) -> date:
    match = _DATE_RE.match(value.strip())
    if not match:
        raise ValueError("Use YYYY-MM or YYYY-MM-DD.")
    return date(int(match[1]), int(match[2]), 1)


def _day(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    match = _DATE_RE.match(value)
    if not match or not match[3]:
        raise ValueError("Use YYYY-MM-DD.")
    return date(int(match[1]), int(match[2]), int(match[3]))


def _header_key(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[()_]", " ", name.lower().lstrip("\ufeff"))).strip()


def _column_indexes(header: list[str]) -> dict[str, int]:
    names = [_header_key(name) for name in header]
    indexes = {}
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
    return indexes


def _parse_line(row: list[str], indexes: dict[str, int]) -> tuple[tuple, dict[str, list[str]]]:
    """One line's values in staging order (without line number and hash), or its errors."""

    def get(column: str) -> str:
        index = indexes.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    errors: dict[str, list[str]] = {}
    values: dict = {}
    try:
        values["reporting_date"] = _day(get("reporting_date"))
    except ValueError as error:
        errors["reporting_date"] = [str(error)]
    try:
        values["sale_month"] = _month(get("sale_month"))
    except ValueError as error:
        errors["sale_month"] = [str(error)]
    store = get("store")
    if not store:
        errors["store"] = ["Required."]
    isrc = isrc_normalize(get("isrc"))
    if not isrc_is_valid(isrc):
        errors["isrc"] = ["Not an ISRC (CC-XXX-YY-NNNNN)."]
    country = get("country").upper()
    if country and not (len(country) == 2 and country.isalpha()):
        errors["country"] = ["A two-letter country code."]
    quantity_text = get("quantity").replace(",", "")
    try:
        quantity = int(quantity_text) if quantity_text else 0
        if abs(quantity) >= 2**62:
            raise ValueError
    except ValueError:
        errors["quantity"] = ["A whole number."]
        quantity = 0
    try:
        earnings = Decimal(get("earnings"))
        if not earnings.is_finite() or abs(earnings) >= EARNINGS_LIMIT:
            raise InvalidOperation
        earnings = earnings.quantize(EARNINGS_QUANTUM)
    except (InvalidOperation, ValueError):
        errors["earnings"] = ["A decimal amount, e.g. 0.0042."]
        earnings = None
    if "currency" in indexes:
        currency = get("currency").upper()
        if not (len(currency) == 3 and currency.isalpha()):
            errors["currency"] = ["A three-letter currency code."]
    else:
        currency = "USD"  # reports without the column are in US dollars (DistroKid's)
    if errors:
        return (), errors
    return (
        values["reporting_date"],
        values["sale_month"],
        platform_code(store),
        store[:64],
        country,
        get("artist")[:255],
        get("title")[:255],
        isrc,
        get("upc")[:14],
        quantity,
        earnings,
        currency,
    ), {}


def _line_hash(values: tuple) -> str:
    """The identity of a line: its normalised values (the store's code, not its spelling)."""
    canonical = "\x1f".join(
        "" if value is None else str(value) for value in values[:3] + values[4:]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _staging_create(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGING} ("
        "line_number integer, line_hash varchar(64), reporting_date date, sale_month date, "
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


def _lines_insert(cursor, *, royalty_import: RoyaltyImport, now: datetime) -> int:
    """Staged lines into the table: numbered per identical line, matched by ISRC, lines
    already imported skipped. Returns how many were new."""
    line, isrc = RoyaltyLine._meta, TrackIsrc._meta
    columns = ", ".join(STAGING_COLUMNS[2:])
    staged = ", ".join(f"s.{column}" for column in STAGING_COLUMNS[2:])
    cursor.execute(
        f"INSERT INTO {line.db_table} (royalty_import_id, line_number, line_hash, occurrence, "  # noqa: S608 - names are constants, values are parameters
        f"{columns}, track_id, matched_at) "
        f"SELECT %s, s.line_number, s.line_hash, "
        f"ROW_NUMBER() OVER (PARTITION BY s.line_hash ORDER BY s.line_number), {staged}, "
        f"i.track_id, CASE WHEN i.track_id IS NULL THEN NULL ELSE %s END "
        f"FROM {STAGING} s LEFT JOIN {isrc.db_table} i ON i.isrc = s.isrc WHERE TRUE "
        f"ON CONFLICT (line_hash, occurrence) DO NOTHING",
        [
            _db(royalty_import.pk, RoyaltyImport._meta.pk),
            _db(now, RoyaltyLine._meta.get_field("matched_at")),
        ],
    )
    return max(cursor.rowcount, 0)


def _owner_shares_insert(cursor, *, royalty_import: RoyaltyImport) -> int:
    """Matched lines of tracks without a split version for their month: all to the owner."""
    line, share, split = RoyaltyLine._meta, RoyaltyShare._meta, RoyaltySplit._meta
    track_table = Track._meta.db_table
    cursor.execute(
        f"INSERT INTO {share.db_table} (line_id, user_id, track_id, sale_month, platform, "  # noqa: S608 - names are constants, values are parameters
        f"country, quantity, amount, currency) "
        f"SELECT l.id, t.owner_id, l.track_id, l.sale_month, l.platform, l.country, "
        f"l.quantity, l.earnings, l.currency "
        f"FROM {line.db_table} l JOIN {track_table} t ON t.id = l.track_id "
        f"WHERE l.royalty_import_id = %s AND NOT EXISTS (SELECT 1 FROM {split.db_table} sp "
        f"WHERE sp.track_id = l.track_id AND sp.effective_from <= l.sale_month)",
        [_db(royalty_import.pk, RoyaltyImport._meta.pk)],
    )
    return max(cursor.rowcount, 0)


def _coverage_update(*, royalty_import: RoyaltyImport) -> None:
    rows = (
        RoyaltyLine.objects.filter(royalty_import=royalty_import)
        .values("platform")
        .annotate(latest=Max("sale_month"))
        .order_by("platform")
    )
    for row in rows:
        coverage, created = PlatformCoverage.objects.select_for_update().get_or_create(
            platform=row["platform"], defaults={"reported_through": row["latest"]}
        )
        if not created and coverage.reported_through < row["latest"]:
            coverage.reported_through = row["latest"]
            coverage.save(update_fields=["reported_through", "updated_at"])


def _serialize_imports(cursor) -> None:
    """One import at a time (PostgreSQL advisory lock until commit), so the duplicate count of
    each report is exact; SQLite serialises writers on its own."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [STAGING])


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
    """Import a royalty report. The same file again returns its first import (``created``
    false) and adds nothing; identical lines inside one file are all kept (``occurrence``).

    Invalid lines are skipped and reported with their line numbers; lines whose ISRC matches no
    track wait in the admin's unmatched queue.
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
            file_name=file_name[:255], sha256=sha256, size=size, imported_by=actor, created_at=now
        )
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        try:
            header_line = text.readline()
            delimiter = "\t" if header_line.count("\t") > header_line.count(",") else ","
            if header_line.count(";") > max(header_line.count("\t"), header_line.count(",")):
                delimiter = ";"
            header = next(csv.reader([header_line], delimiter=delimiter), [])
            indexes = _column_indexes(header)
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
                values, line_errors = _parse_line(row, indexes)
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
        imported = _lines_insert(cursor, royalty_import=record, now=now)
        _owner_shares_insert(cursor, royalty_import=record)
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    split_tracks = RoyaltySplit.objects.filter(
        track_id__in=RoyaltyLine.objects.filter(royalty_import=record, track__isnull=False).values(
            "track_id"
        )
    ).values("track_id")
    line_shares_write(
        lines=RoyaltyLine.objects.filter(royalty_import=record, track_id__in=split_tracks)
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    record.lines_total = total
    record.lines_imported = imported
    record.lines_duplicate = valid - imported
    record.lines_error = error_count
    record.lines_unmatched = RoyaltyLine.objects.filter(
        royalty_import=record, track__isnull=True
    ).count()
    record.errors = errors
    record.save()
    _coverage_update(royalty_import=record)
    audit_record(
        action="royalty.import",
        actor=actor,
        target=record,
        meta=meta,
        metadata={
            "file_name": record.file_name,
            "sha256": sha256,
            "imported": record.lines_imported,
            "duplicates": record.lines_duplicate,
            "unmatched": record.lines_unmatched,
            "errors": record.lines_error,
        },
    )
    return ImportResult(record, created=True)


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
        .filter(pk__in=line_ids, track__isnull=True)
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
    RoyaltyLine.objects.bulk_update(matched, ["track", "matched_at"], batch_size=1000)
    line_shares_write(lines=matched)
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

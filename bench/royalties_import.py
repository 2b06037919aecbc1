"""Benchmark: importing a 1,000,000-line distributor royalty report on PostgreSQL.

Generates a DistroKid-like TSV (1,000 catalogue ISRCs matched, one track in ten split 60/40,
10 % of lines unmatched, 1 % of lines repeated identically, five stores, twenty countries, three
sale months), creates its own
database (``<BENCH_DATABASE_URL>_royalties``, dropped at the end), then imports the report in a
child process and reads that process's peak memory (``ru_maxrss``), then imports it again (the
same file must add nothing).

    .venv/bin/python bench/royalties_import.py       # or: make bench

Targets: the import takes under 60 s and the importing process peaks under 300 MB.
``BENCH_ROYALTY_LINES`` changes the size.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import BENCH_DATABASE_URL, ROOT, bench_env

LINES = int(os.environ.get("BENCH_ROYALTY_LINES", "1000000"))
MAX_SECONDS = 60.0
MAX_MB = 300.0
TRACKS = 1000
DATABASE_URL = BENCH_DATABASE_URL + "_royalties"
STORES = ["Spotify", "Apple Music", "Deezer", "YouTube Music", "Amazon Music"]
COUNTRIES = [
    "US",
    "GB",
    "FR",
    "DE",
    "ES",
    "IT",
    "NL",
    "SE",
    "NO",
    "DK",
    "FI",
    "PL",
    "BR",
    "MX",
    "CA",
    "AU",
    "JP",
    "KR",
    "IN",
    "ZA",
]
MONTHS = ["2026-01", "2026-02", "2026-03"]


def isrc(n: int) -> str:
    return f"ZZVZA26{n:05d}"


def generate(path: Path, lines: int) -> None:
    """Stream the report to disk (never held in memory)."""
    rng = random.Random(12)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "Reporting Date\tSale Month\tStore\tCountry\tArtist\tTitle\tISRC\tUPC\tQuantity\t"
            "Earnings (USD)\tCurrency\n"
        )
        previous = ""
        for n in range(lines):
            if previous and n % 100 == 0:
                out.write(previous)  # a legitimately repeated identical line
                continue
            track = rng.randrange(TRACKS * 10 // 9)  # ids >= TRACKS match nothing
            quantity = rng.randint(1, 5000)
            earnings = quantity * rng.uniform(0.0025, 0.0045)
            previous = (
                f"2026-04-{rng.randint(1, 28):02d}\t{rng.choice(MONTHS)}\t{rng.choice(STORES)}\t"
                f"{rng.choice(COUNTRIES)}\tBench Artist\tBench Song {track}\t{isrc(track)}\t"
                f"0{track:012d}\t{quantity}\t{earnings:.6f}\tUSD\n"
            )
            out.write(previous)


def prepare_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=bench_env(DATABASE_URL=DATABASE_URL),
        check=True,
    )


def drop_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child(path: str) -> None:
    """Runs in its own process: seed the catalogue, import the report twice, print JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
    import django

    django.setup()
    from apps.accounts.models import User
    from apps.catalog.models import Track
    from apps.distribution import services
    from apps.distribution.models import (
        RoyaltyLine,
        RoyaltyShare,
        RoyaltySplit,
        RoyaltySplitShare,
        TrackIsrc,
    )

    owner = User.objects.create_user("bench-royalties@example.com", "benchroyalties")
    tracks = Track.objects.bulk_create(
        Track(owner=owner, title=f"Bench Song {n}", status="ready") for n in range(TRACKS)
    )
    TrackIsrc.objects.bulk_create(
        TrackIsrc(track=track, isrc=isrc(n)) for n, track in enumerate(tracks)
    )
    # One track in ten is shared 60/40 with a collaborator: those lines are split one by one.
    singer = User.objects.create_user("bench-singer@example.com", "benchsinger")
    splits = RoyaltySplit.objects.bulk_create(
        RoyaltySplit(track=track, effective_from=date(2026, 1, 1)) for track in tracks[::10]
    )
    RoyaltySplitShare.objects.bulk_create(
        share
        for split in splits
        for share in (
            RoyaltySplitShare(split=split, user=owner, percent=Decimal(60)),
            RoyaltySplitShare(split=split, user=singer, percent=Decimal(40)),
        )
    )
    results = {}
    for attempt in ("first", "again"):
        with open(path, "rb") as handle:
            started = time.perf_counter()
            result = services.royalty_import(file=handle, file_name="bench.tsv")
            elapsed = time.perf_counter() - started
        record = result.royalty_import
        results[attempt] = {
            "seconds": round(elapsed, 2),
            "created": result.created,
            "lines_total": record.lines_total,
            "imported": record.lines_imported,
            "duplicates": record.lines_duplicate,
            "unmatched": record.lines_unmatched,
            "errors": record.lines_error,
        }
    results["rows"] = {
        "lines": RoyaltyLine.objects.count(),
        "shares": RoyaltyShare.objects.count(),
        "split_lines": RoyaltyLine.objects.filter(is_split=True).count(),
    }
    print(json.dumps(results))


def main() -> int:
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "royalties.tsv"
        started = time.perf_counter()
        generate(path, LINES)
        size_mb = path.stat().st_size / 1e6
        print(
            f"generated {LINES:,} lines ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f}s"
        )
        prepare_database()
        try:
            process = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                cwd=ROOT,
                env=bench_env(DATABASE_URL=DATABASE_URL, REDIS_URL=""),
                capture_output=True,
                text=True,
                check=False,
            )
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        finally:
            drop_database()
    if process.returncode != 0:
        print(process.stdout, process.stderr)
        return 1
    results = json.loads(process.stdout.strip().splitlines()[-1])
    first, again = results["first"], results["again"]
    rate = first["lines_total"] / first["seconds"]
    print(
        f"import: {first['lines_total']:,} lines in {first['seconds']:.1f}s ({rate:,.0f} lines/s): "
        f"{first['imported']:,} imported, {first['duplicates']:,} duplicates, "
        f"{first['unmatched']:,} unmatched, {first['errors']:,} errors; "
        f"{results['rows']['split_lines']:,} lines split into {results['rows']['shares']:,} shares"
    )
    print(f"peak memory of the importing process: {peak_mb:.0f} MB")
    print(f"same file again: {again['seconds']:.2f}s, created={again['created']} (adds nothing)")
    if first["seconds"] >= MAX_SECONDS:
        failures.append(f"{first['seconds']:.1f}s is over the {MAX_SECONDS:.0f}s target")
    if peak_mb >= MAX_MB:
        failures.append(f"{peak_mb:.0f} MB is over the {MAX_MB:.0f} MB target")
    if first["imported"] != LINES or first["errors"]:
        failures.append(f"imported {first['imported']} of {LINES} lines")
    if again["created"] or results["rows"]["lines"] != LINES:
        failures.append("the second import added lines")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        sys.exit(0)
    sys.exit(main())

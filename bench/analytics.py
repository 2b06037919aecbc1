"""Benchmark: creator analytics at a million playback events.

One creator, 200 tracks, 1,000,000 playback events over 90 days (listening sessions of a few
tracks each, popular tracks far ahead of the rest, 7 sources, 20 countries and some unknown).
Loads them with COPY, rolls up the first 89 days (the backlog), then times the incremental
rollup of the 90th day alone, leaves a few minutes of events above the mark (the raw tail the
endpoints read), and measures the dashboard and plays endpoints through the whole in-process
WSGI stack (Django test client, bearer token, every middleware).

    make bench                                   # or: .venv/bin/python bench/analytics.py
    ANALYTICS_BENCH_DATABASE_URL=postgres://... BENCH_EVENTS=200000 \
        .venv/bin/python bench/analytics.py

PostgreSQL only (it creates and drops ``test_<name>`` of ``ANALYTICS_BENCH_DATABASE_URL``).
Targets: p50 < 100 ms and p95 < 250 ms for dashboard and plays over the default 28-day range
(and 7 days by hour); 90-day ranges are printed for headroom without failing the run.
"""

import math
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = os.environ.get(
    "ANALYTICS_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/veza_bench_analytics"
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
os.environ["CELERY_BROKER_URL"] = "memory://"

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
TRACKS = 200
DAYS = 90
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
START = datetime(2026, 6, 1, tzinfo=UTC)
TARGET_P50_MS, TARGET_P95_MS = 100.0, 250.0
SOURCES = ["search", "feed", "discover", "playlist", "library", "direct", "share"]
SOURCE_WEIGHTS = [20, 25, 15, 20, 10, 7, 3]
COUNTRIES = ["US", "GB", "DE", "FR", "BR", "MX", "CA", "AU", "JP", "NL"]
COUNTRIES += ["ES", "IT", "SE", "PL", "IN", "KR", "AR", "CL", "NG", "ZA", ""]
COUNTRY_WEIGHTS = [25, 10, 9, 8, 7, 5, 5, 4, 3, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1, 4]
COLUMNS = (
    "creator_id, track_id, listener_id, session_id, client, source, seconds_played, country, "
    "counted, uncounted_reason, created_at"
)


def _events(*, tracks, users, count: int, first: datetime, days: float, rng: random.Random):
    """Listening sessions: a listener plays 1-15 tracks about 3.5 minutes apart."""
    durations = {track.pk: int(track.duration) for track in tracks}
    ranks = [1 / (n + 1) ** 1.1 for n in range(len(tracks))]  # Zipf: hits and a long tail
    made = 0
    span = days * 86400
    while made < count:
        if rng.random() < 0.3:
            listener, session = rng.choice(users), ""
        else:
            listener, session = None, f"tab-{rng.randrange(200_000)}"
        source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
        country = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
        at = first + timedelta(seconds=rng.random() * span)
        for _ in range(min(count - made, 1 + int(rng.expovariate(1 / 6)))):
            track = rng.choices(tracks, ranks)[0]
            length = durations[track.pk]
            seconds = length if rng.random() < 0.75 else rng.randrange(0, length)
            duplicate = rng.random() < 0.05
            yield (
                track.owner_id,
                track.pk,
                listener,
                session,
                "web",
                source,
                seconds,
                country,
                not duplicate,
                "duplicate" if duplicate else "",
                at,
            )
            at += timedelta(seconds=length + rng.randrange(5))
            made += 1


def _copy(rows) -> int:
    n = 0
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(f"COPY streaming_playevent ({COLUMNS}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _measure(client, path: str, params: dict) -> dict:
    latencies = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path, params)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
    latencies.sort()
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[min(len(latencies) - 1, math.ceil(len(latencies) * 0.95) - 1)],
    }


def main() -> int:
    from apps.accounts.models import Role, User
    from apps.accounts.services.sessions import session_tokens_issue
    from apps.analytics.services import rollup_advance
    from apps.catalog.models import Track

    if connection.vendor != "postgresql":
        print("bench/analytics.py needs PostgreSQL (ANALYTICS_BENCH_DATABASE_URL)")
        return 1
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    failures = []
    rng = random.Random(13)
    try:
        creator = User.objects.create(
            email="bench-creator@example.com", username="benchcreator", role=Role.CREATOR
        )
        tracks = Track.objects.bulk_create(
            Track(
                owner=creator,
                title=f"Track {n}",
                duration=float(rng.randrange(20, 420)),
                status="ready",
            )
            for n in range(TRACKS)
        )
        users = [
            user.pk
            for user in User.objects.bulk_create(
                User(
                    email=f"fan{n}@example.com",
                    email_normalized=f"fan{n}@example.com",
                    username=f"fan{n}",
                )
                for n in range(20_000)
            )
        ]
        last_day = START + timedelta(days=DAYS - 1)
        per_day = EVENTS / DAYS
        started = time.perf_counter()
        # Day by day, in time order within a day, as plays arrive (ids follow time).
        loaded = sum(
            _copy(
                sorted(
                    _events(
                        tracks=tracks,
                        users=users,
                        count=int(per_day),
                        first=START + timedelta(days=n),
                        days=1,
                        rng=rng,
                    ),
                    key=lambda row: row[-1],
                )
            )
            for n in range(DAYS - 1)
        )
        print(f"loaded {loaded} events (days 1-{DAYS - 1}) in {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        rollup_advance(now=last_day, max_batches=10_000)
        print(f"rollup of the {DAYS - 1}-day backlog: {time.perf_counter() - started:.1f}s")

        day = _copy(
            sorted(
                _events(
                    tracks=tracks,
                    users=users,
                    count=int(per_day),
                    first=last_day,
                    days=1,
                    rng=rng,
                ),
                key=lambda row: row[-1],
            )
        )
        started = time.perf_counter()
        rollup_advance(now=last_day + timedelta(days=1, minutes=1), max_batches=10_000)
        elapsed = time.perf_counter() - started
        print(f"incremental rollup of one day ({day} events): {elapsed:.2f}s")
        tail = _copy(
            _events(
                tracks=tracks,
                users=users,
                count=int(per_day / 288),  # five minutes of plays
                first=last_day + timedelta(days=1) - timedelta(minutes=5),
                days=5 / 1440,
                rng=rng,
            )
        )
        print(f"tail above the mark: {tail} events")
        with connection.cursor() as cursor:
            for table in (
                "streaming_playevent",
                "analytics_playrollup",
                "analytics_listenerrollup",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("SELECT count(*) FROM analytics_playrollup")
            play_rows = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM analytics_listenerrollup")
            listener_rows = cursor.fetchone()[0]
        print(f"rollup rows: {play_rows} track rows, {listener_rows} listener rows")

        token = session_tokens_issue(user=creator, otp_verified=False).access_token
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        last = last_day.date()
        # (report, label, query, gated): the default 28-day range is the target; the 90-day
        # cases are printed for headroom.
        cases = [
            ("dashboard", "28 days UTC", {"from": last - timedelta(days=27), "to": last}),
            (
                "dashboard",
                "90 days Europe/Paris",
                {"from": START.date(), "to": last, "tz": "Europe/Paris"},
            ),
            ("plays", "28 days by day", {"from": last - timedelta(days=27), "to": last}),
            (
                "plays",
                "90 days by day, Europe/Paris",
                {"from": START.date(), "to": last, "tz": "Europe/Paris"},
            ),
            (
                "plays",
                "7 days by hour, Asia/Kolkata",
                {
                    "from": last - timedelta(days=6),
                    "to": last,
                    "granularity": "hour",
                    "tz": "Asia/Kolkata",
                },
            ),
        ]
        for name, label, params in cases:
            result = _measure(client, f"/api/v1/creator/analytics/{name}", params)
            gated = label.startswith(("28 days", "7 days"))
            print(
                f"{name:9} {label:30} p50 {result['p50_ms']:6.1f} ms  "
                f"p95 {result['p95_ms']:6.1f} ms  ({REQUESTS} requests)"
                + ("" if gated else "  (headroom, not gated)")
            )
            if gated and (result["p50_ms"] > TARGET_P50_MS or result["p95_ms"] > TARGET_P95_MS):
                failures.append(f"{name} {label}: {result}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    for failure in failures:
        print("FAIL (target p50 < 100 ms, p95 < 250 ms):", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

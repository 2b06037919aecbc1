"""The response cache and the maintenance middleware.

1. Requests/s of an anonymous GET served from the response cache against the same GET with the
   response-cache middleware removed (same server, same data).
2. The per-request cost of the maintenance middleware: database queries (in-process, inside the
   TTL window) and time (in-process per call, and requests/s of the same server without it).

Loopback only, bounded in time. Run: `make bench` or `.venv/bin/python bench/platform_cache.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import (
    ROOT,
    bench_env,
    gunicorn,
    load,
    manage,
    prepare_database,
    request,
)

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
PATHS = os.environ.get("BENCH_PATHS", "/api/v1/tracks?page_size=20,/api/v1/features").split(",")

SEED_TRACKS = """
from apps.accounts.models import User
from apps.catalog.models import Track
owner, _ = User.objects.get_or_create(
    email="bench-creator@veza.local", defaults={"username": "benchcreator", "role": "creator"}
)
missing = 50 - Track.objects.filter(owner=owner).count()
Track.objects.bulk_create(
    Track(owner=owner, title=f"Bench track {i}", artist_name="Bench", genre="ambient",
          tags=["bench"], status="ready", audio_file=f"tracks/bench/{i}.mp3", size=1,
          duration=180.0, content_type="audio/mpeg")
    for i in range(max(missing, 0))
)
"""


def in_process_middleware_cost() -> str:
    """Queries and microseconds per call of MaintenanceMiddleware, inside the TTL window."""
    code = """
import time, django
django.setup()
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.http import HttpResponse
from apps.platform_settings.middleware import MaintenanceMiddleware
from apps.platform_settings import state
middleware = MaintenanceMiddleware(lambda request: HttpResponse("ok"))
request = RequestFactory().get("/api/v1/features")
state.current()
with CaptureQueriesContext(connection) as queries:
    for _ in range(1000):
        middleware(request)
n = 50000
start = time.perf_counter()
for _ in range(n):
    middleware(request)
per_call = (time.perf_counter() - start) / n * 1e6
baseline = lambda request: HttpResponse("ok")
start = time.perf_counter()
for _ in range(n):
    baseline(request)
bare = (time.perf_counter() - start) / n * 1e6
print(f"{len(queries)} {per_call:.2f} {bare:.2f}")
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=bench_env(DJANGO_SETTINGS_MODULE="veza.settings"),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    queries, per_call, bare = int(out[0]), float(out[1]), float(out[2])
    return (
        f"  in-process: {queries} queries in 1000 calls; "
        f"{per_call - bare:.2f} µs per call above a bare handler ({per_call:.2f} vs {bare:.2f} µs)"
    )


def row(label: str, result: dict) -> str:
    return (
        f"  {label:42} {result['rps']:8.0f} req/s   p50 {result['p50_ms']:6.2f} ms   "
        f"p95 {result['p95_ms']:6.2f} ms   ({result['requests']} requests, "
        f"{result['errors']} errors)"
    )


def measure(path: str) -> None:
    with gunicorn(settings_module="bench._settings_variants") as port:
        status, headers = request("127.0.0.1", port, path)
        assert status == 200, status
        status, headers = request("127.0.0.1", port, path)
        assert headers.get("X-Cache") == "HIT", headers
        cached = load(port, path, SECONDS)
    with gunicorn(
        settings_module="bench._settings_variants", VEZA_BENCH_WITHOUT="ResponseCacheMiddleware"
    ) as port:
        uncached = load(port, path, SECONDS)
    with gunicorn(
        settings_module="bench._settings_variants",
        VEZA_BENCH_WITHOUT="ResponseCacheMiddleware,MaintenanceMiddleware",
    ) as port:
        no_maintenance = load(port, path, SECONDS)

    print(f"GET {path}")
    print(row("anonymous GET, cached (X-Cache: HIT)", cached))
    print(row("same GET, response cache removed", uncached))
    print(f"  ratio cached/uncached: {cached['rps'] / uncached['rps']:.2f}x")
    print(row("without maintenance middleware either", no_maintenance))
    delta = (1 / uncached["rps"] - 1 / no_maintenance["rps"]) * 1e6 * 8
    print(f"  maintenance middleware: {delta:+.0f} µs per request at 8 clients (within noise)")


def main() -> int:
    prepare_database()
    manage("shell", "-c", SEED_TRACKS)
    subprocess.run(["redis-cli", "-n", "8", "FLUSHDB"], capture_output=True, check=False)
    print(f"Veza platform bench: {SECONDS:.0f} s per run, 2 gunicorn workers, 8 clients, loopback")
    for path in PATHS:
        measure(path)
    print("Maintenance middleware, in-process (inside the TTL window)")
    print(in_process_middleware_cost())
    time.sleep(0.1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Issue 3 figures: the response cache and the maintenance middleware.

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

from bench._common import ROOT, bench_env, gunicorn, load, prepare_database, request

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
PATH = os.environ.get("BENCH_PATH", "/api/v1/features")


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


def main() -> int:
    prepare_database()
    subprocess.run(["redis-cli", "-n", "8", "FLUSHDB"], capture_output=True, check=False)
    print(
        f"Veza platform bench: GET {PATH}, {SECONDS:.0f} s per run, 2 gunicorn workers, 8 clients"
    )

    with gunicorn(settings_module="bench._settings_variants") as port:
        status, headers = request("127.0.0.1", port, PATH)
        assert status == 200, status
        status, headers = request("127.0.0.1", port, PATH)
        assert headers.get("X-Cache") == "HIT", headers
        cached = load(port, PATH, SECONDS)
    with gunicorn(
        settings_module="bench._settings_variants", VEZA_BENCH_WITHOUT="ResponseCacheMiddleware"
    ) as port:
        uncached = load(port, PATH, SECONDS)
    with gunicorn(
        settings_module="bench._settings_variants",
        VEZA_BENCH_WITHOUT="ResponseCacheMiddleware,MaintenanceMiddleware",
    ) as port:
        no_maintenance = load(port, PATH, SECONDS)

    print("Response cache")
    print(row("anonymous GET, cached (X-Cache: HIT)", cached))
    print(row("same GET, response cache removed", uncached))
    print(f"  ratio cached/uncached: {cached['rps'] / uncached['rps']:.2f}x")
    print("Maintenance middleware")
    print(row("with maintenance middleware (no resp. cache)", uncached))
    print(row("without maintenance middleware", no_maintenance))
    delta = (1 / uncached["rps"] - 1 / no_maintenance["rps"]) * 1e6 * 8
    print(f"  difference: {delta:+.0f} µs per request at 8 clients (noise level on 2 cores)")
    print(in_process_middleware_cost())
    time.sleep(0.1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

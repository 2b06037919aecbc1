"""What each middleware costs on the hot paths, in process, with the production settings.

The WSGI handler is built from ``settings.MIDDLEWARE`` as in production, each class wrapped
by a subclass that times (CPU time of the process, as ``bench/reads.py`` counts) its
``__call__`` (and its ``process_view``, which Django calls just
before the view). A middleware's own time is its time minus the time of everything inside it.
Requests are replayed through the full handler (PostgreSQL, Redis, ``DEBUG=false``, bearer JWT,
``X-Forwarded-Proto: https``), ``BENCH_REQUESTS`` (2000) per path after a warm-up, and the
table prints CPU microseconds per request (median of 5 rounds) for:

- the anonymous track list served from the response cache (the floor of ``bench/reads.py``);
- the track list and a track's detail with a bearer token;
- ``/stream`` with a 1 MiB Range and a bearer token (the body is not sent: the file is opened
  and closed, as with sendfile).

The garbage collector is paused while a round runs (and run between rounds): its pauses are
paid for the garbage of a whole request and would land on whichever middleware allocates at that
moment.

Target (README "Performance"): no middleware above 100 us on these paths, outside the response
cache's own lookup on the floor (that lookup is the answer). Rows marked ``!`` exceed it.

    make bench BENCH=middleware      # or: .venv/bin/python bench/middleware.py
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import ROOT, bench_env, prepare_database
from bench.reads import FILE_SIZE, PRODUCTION_ENV, RANGE, SEED

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
ROUNDS = 5
LIMIT_US = 100.0


class Clock:
    def __init__(self, size: int):
        self.size = size
        self.reset()

    def reset(self):
        self.inclusive = [0] * self.size
        self.process_view = [0] * self.size
        self.inner = 0
        self.total = 0


def timed_class(cls, index: int, clock: Clock):
    attrs = {}

    def call(self, request):
        start = time.process_time_ns()
        try:
            return cls.__call__(self, request)
        finally:
            clock.inclusive[index] += time.process_time_ns() - start

    attrs["__call__"] = call
    if hasattr(cls, "process_view"):

        def process_view(self, *args, **kwargs):
            start = time.process_time_ns()
            try:
                return cls.process_view(self, *args, **kwargs)
            finally:
                clock.process_view[index] += time.process_time_ns() - start

        attrs["process_view"] = process_view
    return type(cls.__name__, (cls,), attrs)


def build_handler(clock: Clock):
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.utils.module_loading import import_string

    module = types.ModuleType("veza_bench_timed_middleware")
    sys.modules[module.__name__] = module
    names = list(settings.MIDDLEWARE)
    for index, path in enumerate(names):
        setattr(module, f"M{index}", timed_class(import_string(path), index, clock))
    settings.MIDDLEWARE = [f"{module.__name__}.M{index}" for index in range(len(names))]

    class TimedHandler(WSGIHandler):
        def _get_response(self, request):
            start = time.process_time_ns()
            try:
                return super()._get_response(request)
            finally:
                clock.inner += time.process_time_ns() - start

    handler = TimedHandler()
    settings.MIDDLEWARE = names
    return handler, [path.rsplit(".", 1)[-1] for path in names]


def environ(path: str, headers: dict) -> dict:
    path_info, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.file_wrapper": lambda handle, block_size=8192: handle,
    }
    for name, value in headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def replay(handler, clock: Clock, path: str, headers: dict, count: int) -> int:
    status = []

    def start_response(line, response_headers):
        status.append(line)

    for _ in range(count):
        start = time.process_time_ns()
        body = handler(environ(path, headers), start_response)
        clock.total += time.process_time_ns() - start
        if hasattr(body, "close"):
            body.close()
    return int(status[-1].split()[0])


def measure(handler, clock: Clock, names: list[str], path: str, headers: dict):
    """Per row: microseconds per request (median of the rounds)."""
    status = replay(handler, clock, path, headers, 200)  # warm-up
    rounds = []
    for _ in range(ROUNDS):
        clock.reset()
        gc.collect()
        gc.disable()  # a collection pause lands on whatever allocates then, not on its cause
        try:
            replay(handler, clock, path, headers, REQUESTS // ROUNDS)
        finally:
            gc.enable()
        n = REQUESTS // ROUNDS
        own = []
        for index in range(len(names)):
            inside = clock.inclusive[index + 1] if index + 1 < len(names) else clock.inner
            own.append((clock.inclusive[index] - inside + clock.process_view[index]) / n / 1000)
        view = (clock.inner - sum(clock.process_view)) / n / 1000
        handler_own = (clock.total - clock.inclusive[0]) / n / 1000
        rounds.append([*own, view, handler_own, clock.total / n / 1000])
    return status, [statistics.median(values) for values in zip(*rounds, strict=True)]


def main() -> int:
    prepare_database()
    workdir = Path(tempfile.mkdtemp(prefix="veza-bench-middleware-"))
    media = workdir / "media"
    name = "tracks/bench/reads.mp3"
    (media / "tracks" / "bench").mkdir(parents=True)
    content = os.urandom(FILE_SIZE)
    (media / name).write_bytes(content)
    env = bench_env(**PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="veza.settings", MEDIA_ROOT=str(media))
    seed = json.loads(
        subprocess.run(
            [sys.executable, "-c", SEED, name, hashlib.sha256(content).hexdigest()],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    os.environ.update(env)

    import django

    django.setup()

    clock = Clock(0)
    handler, names = build_handler(clock)
    clock.size = len(names)
    clock.reset()
    bearer = {"Authorization": f"Bearer {seed['listener']}"}
    paths = [
        ("floor: anonymous list (cache)", "/api/v1/tracks?page_size=20", {}),
        ("track list, bearer", "/api/v1/tracks?page_size=20", bearer),
        ("track detail, bearer", f"/api/v1/tracks/{seed['track']}", bearer),
        (
            "/stream 1 MiB, bearer",
            f"/api/v1/tracks/{seed['track']}/stream",
            {
                **bearer,
                "Range": RANGE,
            },
        ),
    ]
    results = [
        (label, *measure(handler, clock, names, path, headers)) for label, path, headers in paths
    ]

    print(
        f"Veza middleware bench: CPU us per request, in process, median of {ROUNDS} rounds of "
        f"{REQUESTS // ROUNDS} (indicative on a shared machine)"
    )
    width = 30
    print(f"  {'':{width}}" + "".join(f"{label[:24]:>26}" for label, *_ in results))
    print(f"  {'status':{width}}" + "".join(f"{status:>26}" for _, status, _ in results))
    rows = [*names, "(the view, DRF included)", "(Django's handler, outside)", "total"]
    over = []
    for index, row in enumerate(rows):
        cells = []
        for label, _, values in results:
            value = values[index]
            is_cache_lookup = label.startswith("floor") and row == "ResponseCacheMiddleware"
            flag = "!" if index < len(names) and value > LIMIT_US and not is_cache_lookup else " "
            if flag == "!":
                over.append(f"{row} on {label}")
            cells.append(f"{value:>25.1f}{flag}")
        print(f"  {row:{width}}" + "".join(cells))
    if over:
        print(f"  over {LIMIT_US:.0f} us: " + "; ".join(over))
    else:
        print(f"  no middleware above {LIMIT_US:.0f} us on these paths")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

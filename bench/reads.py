"""API reads at framework speed: wrk against gunicorn, production settings, per-request CPU.

One gunicorn (``gunicorn.conf.py``, ``WEB_CONCURRENCY`` sync workers, 2 by default) with
``DEBUG=false``, PostgreSQL, Redis and the production middleware stack, behind an imagined TLS
proxy (every request says ``X-Forwarded-Proto: https``). For each row, wrk runs
``BENCH_SECONDS`` (3) with ``BENCH_CONNECTIONS`` (8) connections after a short warm-up, and the
bench reads from /proc the CPU time (user + system) that the gunicorn master and its workers
spent during the run: server CPU ms per request = that time / requests. That figure, not
requests/s, is the one to compare: wrk shares the machine's cores with the server. The table is
run ``BENCH_ROUNDS`` (3) times; each row prints the median of its rounds, and its ratio is the
median of its ratios to the floor measured in the same round (a machine's pace drifts over a
run: a ratio within one round is steadier than two figures minutes apart).

Rows: the anonymous track list served from the response cache (the framework floor: the
cheapest answer the stack gives), then, with a bearer JWT (never cached), the track list (20
items), a track's detail, search, the feed, a playlist's tracks (20), the course list, the
creator analytics dashboard; then ``/stream``: the decision alone (access check, headers,
conditional logic: ``If-None-Match`` answered 304, no body), and a 1 MiB ``Range`` sent with
sendfile, anonymous and with a bearer token. "x floor" is a
row's CPU per request over the floor's. Last, the resident memory (RSS) of every web worker
once the runs are over, and the unique (private) part of it.

Targets (README "Performance"): authenticated list and detail at most 3x the floor, the /stream
decision at most 1.5x, RSS per web worker under 100 MiB.

The status column is the answer to one request sent before the run (200, 206, 304 expected).

    make bench                       # every bench; or: .venv/bin/python bench/reads.py
    BENCH_DATABASE_URL=postgres://... BENCH_REDIS_URL=redis://... .venv/bin/python bench/reads.py

wrk is a Debian/Ubuntu package: ``sudo apt-get install wrk`` (macOS: ``brew install wrk``).
Without it the bench says so and exits 0.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import ROOT, bench_env, free_port, prepare_database

SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
WRK = shutil.which("wrk")
FILE_SIZE = 10 * 1024 * 1024
RANGE = f"bytes=1048576-{2 * 1048576 - 1}"

# Production settings: DEBUG off, real secrets, the proxy that terminates TLS.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
    "CHAT_JWT_SECRET": "bench-only-chat-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "FIELD_ENCRYPTION_KEY": "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE=",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CELERY_BROKER_URL": "memory://",
    "BILLING_SANDBOX": "true",
}

SEED = """
import json, os, sys
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from apps.accounts.models import User
from apps.accounts.services.sessions import session_tokens_issue
from apps.catalog.models import Follow, Playlist, PlaylistEntry, Track
from apps.education.models import Course
from apps.streaming.models import PlayEvent

name, digest = sys.argv[1], sys.argv[2]
now = timezone.now()
creator, _ = User.objects.update_or_create(
    email="bench-reads-creator@veza.local",
    defaults={"username": "benchreadscreator", "role": "creator", "is_verified": True},
)
listener, _ = User.objects.update_or_create(
    email="bench-reads-listener@veza.local",
    defaults={"username": "benchreadslistener", "role": "user", "is_verified": True},
)
Playlist.objects.filter(owner=listener).delete()
Track.objects.filter(owner=creator).delete()
Course.objects.filter(owner=creator).delete()
size = os.path.getsize(os.path.join(os.environ["MEDIA_ROOT"], name))
tracks = Track.objects.bulk_create(
    Track(owner=creator, title=f"Bench reads {i}", artist_name="Bench", album="Reads",
          genre="ambient", tags=["bench", "reads"], description="A track of the reads bench.",
          status="ready", visibility="public", audio_file=name, content_type="audio/mpeg",
          size=size, sha256=digest, duration=180.0, bitrate=320000, codec="mp3",
          created_at=now - timedelta(minutes=i))
    for i in range(60)
)
Follow.objects.get_or_create(follower=listener, followee=creator)
playlist = Playlist.objects.create(owner=listener, title="Bench reads", visibility="public")
PlaylistEntry.objects.bulk_create(
    PlaylistEntry(playlist=playlist, track=track, position=i) for i, track in enumerate(tracks[:20])
)
Course.objects.bulk_create(
    Course(owner=creator, title=f"Bench course {i}", slug=f"bench-reads-course-{i}",
           description="A course of the reads bench.", status="published", published_at=now)
    for i in range(20)
)
PlayEvent.objects.bulk_create(
    PlayEvent(track=tracks[i % 20], creator=creator, listener=listener if i % 2 else None,
              session_id=f"s{i % 40}", source="direct", seconds_played=120, country="FR",
              created_at=now - timedelta(hours=i))
    for i in range(400)
)
token = lambda user: str(session_tokens_issue(user=user, otp_verified=False).access_token)
print(json.dumps({
    "track": str(tracks[0].pk), "playlist": str(playlist.pk), "sha256": digest,
    "listener": token(listener), "creator": token(creator),
}))
"""


TARGETS = {
    "track list (20), bearer": 3.0,
    "track detail, bearer": 3.0,
    "/stream decision only (304), bearer": 1.5,
}


def rows(seed: dict) -> list[tuple[str, str, str | None, dict]]:
    """(label, path, whose token, extra headers); the first row is the floor."""
    track, playlist = seed["track"], seed["playlist"]
    return [
        ("anonymous list, response cache (floor)", "/api/v1/tracks?page_size=20", None, {}),
        ("track list (20), bearer", "/api/v1/tracks?page_size=20", "listener", {}),
        ("track detail, bearer", f"/api/v1/tracks/{track}", "listener", {}),
        ("search, bearer", "/api/v1/search?q=bench&limit=20", "listener", {}),
        ("feed (20), bearer", "/api/v1/feed", "listener", {}),
        ("playlist tracks (20), bearer", f"/api/v1/playlists/{playlist}/tracks", "listener", {}),
        ("course list (20), bearer", "/api/v1/courses", "listener", {}),
        ("analytics dashboard, bearer", "/api/v1/creator/analytics/dashboard", "creator", {}),
        (
            "/stream decision only (304), bearer",
            f"/api/v1/tracks/{track}/stream",
            "listener",
            {"Range": RANGE, "If-None-Match": f'"{seed["sha256"]}"'},
        ),
        (
            "/stream 1 MiB range, anonymous",
            f"/api/v1/tracks/{track}/stream",
            None,
            {"Range": RANGE},
        ),
        (
            "/stream 1 MiB range, bearer",
            f"/api/v1/tracks/{track}/stream",
            "listener",
            {"Range": RANGE},
        ),
    ]


# --- The server and its processes ---------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found


def cpu_seconds(master: int) -> float:
    """utime + stime of the gunicorn master and its workers (/proc/<pid>/stat), plus the
    master's cutime + cstime: what workers it already reaped used (max_requests recycles them
    during a run)."""
    total = 0
    for pid in (master, *_children(master)):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if pid == master:
            total += int(fields[13]) + int(fields[14])
    return total / os.sysconf("SC_CLK_TCK")


def worker_memory(master: int) -> list[tuple[float, float]]:
    """(RSS MiB, private MiB) of every web worker."""
    result = []
    for pid in _children(master):
        values = {}
        try:
            with open(f"/proc/{pid}/smaps_rollup") as smaps:
                for line in smaps:
                    key, _, rest = line.partition(":")
                    if key in ("Rss", "Private_Clean", "Private_Dirty"):
                        values[key] = int(rest.split()[0]) / 1024
        except OSError:
            continue
        result.append((values["Rss"], values["Private_Clean"] + values["Private_Dirty"]))
    return result


@contextmanager
def server(env: dict):
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn")]
    if (ROOT / "gunicorn.conf.py").exists():
        command += ["--config", str(ROOT / "gunicorn.conf.py")]
    command += ["veza.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", WORKERS]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "WEB_CONCURRENCY": WORKERS},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/api/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wrk(port: int, path: str, headers: dict, seconds: float) -> dict:
    command = [WRK, "-t", "2", "-c", str(CONNECTIONS), "-d", f"{max(1, round(seconds))}s"]
    for name, value in {"X-Forwarded-Proto": "https", **headers}.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def measure(port: int, master: int, path: str, headers: dict) -> dict:
    wrk(port, path, headers, 1)  # warm-up: connections, caches, code paths
    before = cpu_seconds(master)
    result = wrk(port, path, headers, SECONDS)
    result["cpu_ms"] = (cpu_seconds(master) - before) / max(result["requests"], 1) * 1000
    return result


def main() -> int:
    if WRK is None:
        print("wrk is not installed: the reads bench needs it. Install it with")
        print("    sudo apt-get install wrk      (Debian/Ubuntu; macOS: brew install wrk)")
        return 0
    prepare_database()
    workdir = Path(tempfile.mkdtemp(prefix="veza-bench-reads-"))
    try:
        media = workdir / "media"
        name = "tracks/bench/reads.mp3"
        (media / "tracks" / "bench").mkdir(parents=True)
        content = os.urandom(FILE_SIZE)
        (media / name).write_bytes(content)
        env = bench_env(
            **PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="veza.settings", MEDIA_ROOT=str(media)
        )
        seeded = subprocess.run(
            [sys.executable, "-c", SEED, name, hashlib.sha256(content).hexdigest()],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if seeded.returncode:
            raise SystemExit("seeding the bench data failed:\n" + seeded.stderr[-3000:])
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        print(
            f"Veza reads bench: wrk {CONNECTIONS} connections, {ROUNDS} rounds of {SECONDS:.0f} s "
            f"per row, gunicorn {WORKERS} sync workers, DEBUG=false, {os.cpu_count()} CPUs; "
            "medians of the rounds, each ratio against the floor of its own round"
        )
        print(
            f"  {'request':42} {'status':>6} {'req/s':>8} {'CPU ms/req':>11} {'x floor':>8} "
            f"{'errors':>7}"
        )
        ratios = {}
        with server(env) as (port, master):
            table = rows(seed)
            requests = []
            for _label, path, who, extra in table:
                headers = dict(extra)
                if who:
                    headers["Authorization"] = f"Bearer {seed[who]}"
                requests.append((path, headers, get(port, path, headers)[0]))
            runs = {label: [] for label, *_ in table}
            for _ in range(ROUNDS):
                floor = None
                for (label, *_), (path, headers, _status) in zip(table, requests, strict=True):
                    result = measure(port, master, path, headers)
                    floor = floor or result["cpu_ms"]
                    runs[label].append({**result, "ratio": result["cpu_ms"] / floor})
            for (label, *_), (_path, _headers, status) in zip(table, requests, strict=True):
                median = {
                    key: statistics.median(run[key] for run in runs[label])
                    for key in ("rps", "cpu_ms", "ratio")
                }
                errors = sum(run["errors"] for run in runs[label])
                ratios[label] = median["ratio"]
                print(
                    f"  {label:42} {status:>6} {median['rps']:>8.0f} {median['cpu_ms']:>11.2f} "
                    f"{median['ratio']:>8.2f} {errors:>7}"
                )
            memory = worker_memory(master)
        for i, (rss, private) in enumerate(memory):
            print(f"  web worker {i + 1}: RSS {rss:.1f} MiB (private {private:.1f} MiB)")
        print("  targets:")
        for label, limit in TARGETS.items():
            verdict = "met" if ratios[label] <= limit else "NOT met"
            print(f"    {label}: {ratios[label]:.2f}x floor (target <= {limit}x) {verdict}")
        worst = max(rss for rss, _ in memory)
        verdict = "met" if worst < 100 else "NOT met"
        print(f"    RSS per web worker: {worst:.1f} MiB at most (target < 100 MiB) {verdict}")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())

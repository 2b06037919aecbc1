"""/stream throughput for 1 MiB ranges of a 10 MiB file.

Three servers, same file, same client (8 threads on loopback, a new connection per request,
random 1 MiB-aligned ranges, every body read and its length checked):

1. gunicorn (2 sync workers) serving ``/api/v1/tracks/{id}/stream``: Django checks access and
   headers, the kernel sends the bytes (sendfile at the range's offset and length);
2. nginx (Debian's nginx-light, 2 workers) serving the same file directly: the physical
   reference;
3. nginx in front of gunicorn with ``STREAM_ACCEL_REDIRECT``: Django decides, nginx sends;
4. gunicorn with a bare WSGI app returning the same range through ``wsgi.file_wrapper``: the
   server's own byte path without Django, to separate it from the framework's per-request cost.

Target: (1) reaches at least half of (2). Loopback only, bounded in time (BENCH_SECONDS per
run, 5 by default). If nginx is not installed the nginx rows are skipped (exit 0) with the
command to install it. Run: `make bench` or `.venv/bin/python bench/stream.py`.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import ROOT, bench_env, free_port, gunicorn, prepare_database

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONCURRENCY = 8
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
FILE_SIZE = 10 * 1024 * 1024
RANGE_SIZE = 1024 * 1024
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)

CREATE_TRACK = """
import django, hashlib, os, sys
django.setup()
from apps.accounts.models import User
from apps.catalog.models import Track
name, digest = sys.argv[1], sys.argv[2]
owner, _ = User.objects.get_or_create(
    email="bench-stream@veza.local", defaults={"username": "bench-stream", "role": "creator"}
)
Track.objects.filter(owner=owner).delete()
size = os.path.getsize(os.path.join(os.environ["MEDIA_ROOT"], name))
track = Track.objects.create(
    owner=owner, title="Bench", status="ready", visibility="public",
    audio_file=name, content_type="audio/mpeg", size=size, sha256=digest,
)
print(track.pk)
"""


BARE_APP = """
import os
PATH = {path!r}
SIZE = os.path.getsize(PATH)

def application(environ, start_response):
    start = int(environ["HTTP_RANGE"].split("=")[1].split("-")[0])
    handle = open(PATH, "rb")
    handle.seek(start)
    start_response("206 Partial Content", [
        ("Content-Type", "audio/mpeg"),
        ("Content-Length", str({length})),
        ("Content-Range", "bytes %d-%d/%d" % (start, start + {length} - 1, SIZE)),
    ])
    return environ["wsgi.file_wrapper"](handle)
"""


@contextmanager
def bare_gunicorn(workdir: Path, path: Path):
    (workdir / "bare_stream_app.py").write_text(BARE_APP.format(path=str(path), length=RANGE_SIZE))
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "bare_stream_app",
            "--chdir",
            str(workdir),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/", headers={"Range": "bytes=0-0"})
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("bare gunicorn did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _servers_cpu_seconds() -> float | None:
    """CPU time (user + system) used so far by every process this script started (Linux)."""
    if not os.path.isdir("/proc"):
        return None
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    me = os.getpid()
    total = 0
    for pid, used in ticks.items():
        ancestor = parents.get(pid)
        while ancestor not in (None, 0, 1, me):
            ancestor = parents.get(ancestor)
        if ancestor == me:
            total += used
    return total / os.sysconf("SC_CLK_TCK")


def load(port: int, path: str, seconds: float) -> dict:
    """Closed loop: random 1 MiB ranges; requests/s, MB/s, and server CPU per request."""
    cpu_before = _servers_cpu_seconds()
    done = 0
    received = 0
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    starts = list(range(0, FILE_SIZE, RANGE_SIZE))

    def worker(seed: int):
        nonlocal done, received, errors
        rng = random.Random(seed)
        n = nbytes = bad = 0
        while time.monotonic() < stop_at:
            start = rng.choice(starts)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request(
                    "GET", path, headers={"Range": f"bytes={start}-{start + RANGE_SIZE - 1}"}
                )
                response = conn.getresponse()
                body = response.read()
                if response.status != 206 or len(body) != RANGE_SIZE:
                    bad += 1
                else:
                    n += 1
                    nbytes += len(body)
            except OSError:
                bad += 1
            finally:
                conn.close()
        with lock:
            done += n
            received += nbytes
            errors += bad

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONCURRENCY)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    cpu_after = _servers_cpu_seconds()
    cpu_ms = None
    if cpu_before is not None and cpu_after is not None and done:
        cpu_ms = (cpu_after - cpu_before) / done * 1000
    return {
        "cpu_ms": cpu_ms,
        "requests": done,
        "errors": errors,
        "rps": done / elapsed,
        "mbps": received / elapsed / 1e6,
    }


@contextmanager
def nginx(conf_body: str, workdir: Path):
    port = free_port()
    conf = workdir / f"nginx-{port}.conf"
    conf.write_text(
        f"""
worker_processes 2;
pid {workdir}/nginx-{port}.pid;
error_log {workdir}/nginx-{port}.error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    types {{ audio/mpeg mp3; }}
    server {{
        listen 127.0.0.1:{port};
        {conf_body}
    }}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("HEAD", "/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "nginx did not start: " + process.stderr.read().decode()[-500:]
                    ) from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def row(label: str, result: dict) -> str:
    cpu = f"{result['cpu_ms']:5.2f} ms CPU/req" if result["cpu_ms"] is not None else ""
    return (
        f"  {label:46} {result['rps']:6.0f} req/s {result['mbps']:6.0f} MB/s  {cpu}  "
        f"({result['requests']} ranges, {result['errors']} errors)"
    )


def main() -> int:
    prepare_database()
    workdir = Path(tempfile.mkdtemp(prefix="veza-bench-stream-"))
    os.chmod(workdir, 0o755)  # noqa: S103 - nginx workers run as an unprivileged user
    try:
        media = workdir / "media"
        name = "tracks/bench/ten-mib.mp3"
        (media / "tracks" / "bench").mkdir(parents=True)
        content = os.urandom(FILE_SIZE)
        (media / name).write_bytes(content)
        for path in (media, media / "tracks", media / "tracks" / "bench"):
            os.chmod(path, 0o755)  # noqa: S103 - readable by nginx workers
        os.chmod(media / name, 0o644)
        track_id = subprocess.run(
            [sys.executable, "-c", CREATE_TRACK, name, hashlib.sha256(content).hexdigest()],
            cwd=ROOT,
            env=bench_env(DJANGO_SETTINGS_MODULE="veza.settings", MEDIA_ROOT=str(media)),
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        stream_path = f"/api/v1/tracks/{track_id}/stream"
        print(
            f"Veza stream bench: 1 MiB ranges of a 10 MiB file, {SECONDS:.0f} s per run, "
            f"{CONCURRENCY} clients on loopback, {os.cpu_count()} CPUs"
        )

        with gunicorn(workers=WORKERS, MEDIA_ROOT=str(media), STREAM_ACCEL_REDIRECT="") as port:
            python = load(port, stream_path, SECONDS)
        print(row(f"gunicorn, {WORKERS} sync workers (sendfile)", python))
        with bare_gunicorn(workdir, media / name) as port:
            bare = load(port, "/", SECONDS)
        print(row("gunicorn + bare WSGI app (no Django)", bare))

        if NGINX is None:
            print("  nginx not found: skipping the reference. Install it with")
            print("    sudo apt-get install nginx-light")
            return 0

        direct_conf = f"location /media/ {{ alias {media}/; }}"
        with nginx(direct_conf, workdir) as port:
            reference = load(port, f"/media/{name}", SECONDS)
        print(row("nginx-light, 2 workers, file served directly", reference))

        with gunicorn(MEDIA_ROOT=str(media), STREAM_ACCEL_REDIRECT="/protected-media/") as gport:
            accel_conf = (
                f"location /protected-media/ {{ internal; alias {media}/; }}\n"
                f"        location /api/ {{ proxy_pass http://127.0.0.1:{gport}; }}"
            )
            with nginx(accel_conf, workdir) as port:
                accel = load(port, stream_path, SECONDS)
        print(row("nginx -> gunicorn, X-Accel-Redirect", accel))

        print(f"  ratio gunicorn/nginx: {python['rps'] / reference['rps']:.2f} (target >= 0.5)")
        print(f"  ratio X-Accel/nginx:  {accel['rps'] / reference['rps']:.2f}")
        print(
            f"  ratio bare gunicorn/nginx (server byte path): {bare['rps'] / reference['rps']:.2f}"
        )
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())

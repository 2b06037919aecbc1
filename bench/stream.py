"""/stream throughput for 1 MiB ranges of a 10 MiB file, load driven by wrk.

wrk (Debian package ``wrk``) keeps its connections alive and costs little CPU, so the figures
show the servers' own cost (a Python client saturates near 2,000 req/s here). Random 1 MiB
ranges (a Lua script), 2 wrk threads, 8 connections, BENCH_SECONDS per run (5 by default),
loopback only. Rows:

1. nginx alone serving the file (keep-alive): the physical reference;
2. gunicorn (BENCH_WORKERS sync workers) serving ``/api/v1/tracks/{id}/stream`` with sendfile:
   Django checks access per range;
3. nginx -> gunicorn with X-Accel-Redirect: Django decides per range, nginx sends;
4. signed mode: the 302 that ``/stream`` answers once per play (through nginx -> gunicorn),
   then the ranges nginx serves alone on the signed URL (``secure_link``). Rows 1 and 4 run on
   the same nginx, alternating, best of BENCH_ROUNDS (5) each, so both see the same noise.

Server CPU per request: user + system time of the server processes (nginx master and workers,
gunicorn arbiter and workers) from /proc/<pid>/stat, before and after each run, divided by the
requests served. Goal: signed-mode ranges at >= 0.9x nginx alone. Needs nginx and wrk
(``apt-get install nginx wrk``); without them the bench says so and exits 0. Run:
``make bench`` or ``.venv/bin/python bench/stream.py``.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import ROOT, bench_env, free_port, prepare_database, tool_or_hint

SECONDS = int(float(os.environ.get("BENCH_SECONDS", "5")))
CONNECTIONS = 8
THREADS = 2
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
FILE_SIZE = 10 * 1024 * 1024
RANGE_SIZE = 1024 * 1024
SECRET = "bench-secure-link-secret-0123456789abcdef"

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

RANGES_LUA = """
math.randomseed(os.time())
request = function()
  local start = math.random(0, {chunks}) * {size}
  wrk.headers["Range"] = "bytes=" .. start .. "-" .. (start + {size} - 1)
  return wrk.format("GET", nil)
end
"""


def _tree_cpu_seconds(root_pids: list[int]) -> float:
    """User + system CPU time of ``root_pids`` and all their descendants (Linux /proc)."""
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
        ticks[int(entry)] = int(fields[11]) + int(fields[12])  # utime + stime
    roots = set(root_pids)
    total = 0
    for pid, used in ticks.items():
        ancestor = pid
        while ancestor not in roots and ancestor not in (None, 0, 1):
            ancestor = parents.get(ancestor)
        if ancestor in roots:
            total += used
    return total / os.sysconf("SC_CLK_TCK")


def wrk(url: str, servers: list[int], workdir: Path, *, ranges: bool = True) -> dict:
    script = workdir / "ranges.lua"
    script.write_text(RANGES_LUA.format(chunks=FILE_SIZE // RANGE_SIZE - 1, size=RANGE_SIZE))
    command = [WRK, "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{SECONDS}s"]
    if ranges:
        command += ["-s", str(script)]
    cpu_before = _tree_cpu_seconds(servers)
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=SECONDS + 30
    ).stdout
    cpu_after = _tree_cpu_seconds(servers)
    requests_done = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return {
        "rps": rps,
        "requests": requests_done,
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "mbps": rps * RANGE_SIZE / 1e6 if ranges else 0.0,
        "cpu_ms": (cpu_after - cpu_before) / requests_done * 1000 if requests_done else None,
    }


def _wait_http(port: int, process: subprocess.Popen, path: str = "/", deadline: float = 30):
    stop = time.monotonic() + deadline
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > stop:
                raise RuntimeError(f"server on {port} did not start") from None
            time.sleep(0.1)


@contextmanager
def gunicorn(media: Path, **env: str):
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "veza.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=bench_env(DJANGO_SETTINGS_MODULE="veza.settings", MEDIA_ROOT=str(media), **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_http(port, process, "/api/v1/health")
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def nginx(conf_body: str, workdir: Path):
    port = free_port()
    conf = workdir / f"nginx-{port}.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(
        f"""
{user}
worker_processes 2;
pid {workdir}/nginx-{port}.pid;
error_log {workdir}/nginx-{port}.error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
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
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_http(port, process)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def row(label: str, result: dict) -> str:
    cpu = f"{result['cpu_ms']:6.3f} ms CPU/req" if result["cpu_ms"] is not None else ""
    errors = result["errors"]
    extra = f", socket errors {result['socket_errors']}" if result["socket_errors"] else ""
    rate = f"{result['mbps']:6.0f} MB/s" if result["mbps"] else " " * 11
    return f"  {label:44} {result['rps']:8.0f} req/s {rate}  {cpu}  ({errors} non-2xx/3xx{extra})"


def main() -> int:
    global NGINX, WRK
    NGINX = tool_or_hint("nginx", "apt-get install nginx")
    WRK = tool_or_hint("wrk", "apt-get install wrk")
    if NGINX is None or WRK is None:
        return 0
    prepare_database()
    workdir = Path(tempfile.mkdtemp(prefix="veza-bench-stream-"))
    os.chmod(workdir, 0o755)  # noqa: S103 - nginx workers may run as an unprivileged user
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
            f"Veza stream bench (wrk): 1 MiB ranges of a 10 MiB file, {SECONDS} s per run, "
            f"{THREADS} threads x {CONNECTIONS} keep-alive connections, {os.cpu_count()} CPUs"
        )

        with gunicorn(media, STREAM_DELIVERY="sendfile") as (port, pid):
            python = wrk(f"http://127.0.0.1:{port}{stream_path}", [pid], workdir)
        print(row(f"gunicorn /stream, {WORKERS} sync workers", python))

        accel_env = {"STREAM_DELIVERY": "accel", "STREAM_ACCEL_REDIRECT": "/protected-media/"}
        with gunicorn(media, **accel_env) as (gport, gpid):
            conf = (
                f"location /protected-media/ {{ internal; alias {media}/; }}\n"
                f"        location /api/ {{ proxy_pass http://127.0.0.1:{gport}; }}"
            )
            with nginx(conf, workdir) as (port, pid):
                accel = wrk(f"http://127.0.0.1:{port}{stream_path}", [pid, gpid], workdir)
        print(row("nginx -> gunicorn, X-Accel-Redirect", accel))

        signed_env = {
            "STREAM_DELIVERY": "signed",
            "STREAM_SIGNED_SECRET": SECRET,
            "STREAM_SIGNED_PREFIX": "/signed-media/",
            "STREAM_URL_TTL": "600",
        }
        with gunicorn(media, **signed_env) as (gport, gpid):
            conf = (
                f"location /media/ {{ alias {media}/; }}\n"
                "        location /signed-media/ {\n"
                "            secure_link $arg_md5,$arg_expires;\n"
                f'            secure_link_md5 "$secure_link_expires$uri {SECRET}";\n'
                '            if ($secure_link = "") { return 403; }\n'
                '            if ($secure_link = "0") { return 410; }\n'
                f"            alias {media}/;\n"
                "        }\n"
                f"        location /api/ {{ proxy_pass http://127.0.0.1:{gport}; }}"
            )
            with nginx(conf, workdir) as (port, pid):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", stream_path)
                answer = conn.getresponse()
                answer.read()
                location = answer.getheader("Location")
                conn.close()
                if answer.status != 302 or not location:
                    raise RuntimeError(f"signed mode answered {answer.status}, not a redirect")
                redirects = wrk(
                    f"http://127.0.0.1:{port}{stream_path}", [pid, gpid], workdir, ranges=False
                )
                signed_url = f"http://127.0.0.1:{port}{location}"
                # The reference and the signed ranges alternate on the same nginx, best of
                # BENCH_ROUNDS each: on a shared machine, load from elsewhere hits both alike.
                references, signeds = [], []
                for _ in range(ROUNDS):
                    references.append(wrk(f"http://127.0.0.1:{port}/media/{name}", [pid], workdir))
                    signeds.append(wrk(signed_url, [pid], workdir))
                reference = max(references, key=lambda result: result["rps"])
                signed = max(signeds, key=lambda result: result["rps"])
        print(row("nginx alone, file served directly", reference))
        print(row("signed: /stream 302 (nginx -> gunicorn)", redirects))
        print(row("signed: ranges by nginx (secure_link)", signed))

        print(f"  ratio gunicorn /stream / nginx:   {python['rps'] / reference['rps']:.2f}")
        print(f"  ratio X-Accel / nginx:            {accel['rps'] / reference['rps']:.2f}")
        ratio = signed["rps"] / reference["rps"]
        print(f"  ratio signed ranges / nginx:      {ratio:.2f} (goal >= 0.9)")
        if reference["cpu_ms"] and signed["cpu_ms"] and python["cpu_ms"]:
            print(
                "  CPU per range vs nginx: gunicorn "
                f"{python['cpu_ms'] / reference['cpu_ms']:.1f}x, X-Accel "
                f"{accel['cpu_ms'] / reference['cpu_ms']:.1f}x, signed "
                f"{signed['cpu_ms'] / reference['cpu_ms']:.1f}x"
            )
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


NGINX: str | None = None
WRK: str | None = None

if __name__ == "__main__":
    raise SystemExit(main())

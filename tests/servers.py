"""Real server processes for tests: gunicorn on a free loopback port, on the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

from tests.storage_backend import storage_env

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


READY_DEADLINE_SECONDS = 120.0


def _stderr_tail(process: subprocess.Popen, stderr_file=None) -> str:
    if stderr_file is not None:
        stderr_file.seek(0)
        return stderr_file.read().decode(errors="replace")[-4000:]
    return process.stderr.read().decode(errors="replace")[-4000:] if process.stderr else ""


def wait_until_ready(
    base: str,
    process: subprocess.Popen,
    deadline_seconds: float = READY_DEADLINE_SECONDS,
    stderr_file=None,
) -> None:
    """Poll ``/api/v1/health`` until the server answers (200, or 503 when a dependency is down).

    A freshly started worker imports Django and opens its first connections on its first
    request, which can take seconds on a busy machine: a slow answer or a refused connection
    is retried until the deadline; only a process that exits, or no answer at all within the
    deadline, fails.
    """
    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            if requests.get(base + "/api/v1/health", timeout=10).status_code in (200, 503):
                return
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"server did not start: {_stderr_tail(process, stderr_file)}")
        time.sleep(0.1)


@contextmanager
def gunicorn_server(
    extra_env: dict | None = None, workers: int = 1, access_log: Path | None = None
):
    """Start ``gunicorn veza.wsgi`` against the test database; yield its base URL.

    With ``access_log``, each request is logged there as ``<request line> <status> <Range>``.
    The server's stderr goes to a temporary file, not a pipe: nobody drains a pipe while the
    test runs, and a full one (a few logged tracebacks) would block the server mid-request.
    """
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "DJANGO_SETTINGS_MODULE": "veza.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        **storage_env(),
        **(extra_env or {}),
    }
    stderr_file = tempfile.TemporaryFile()  # noqa: SIM115  (closed when the server stops)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "veza.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            *(
                [
                    "--access-logfile",
                    str(access_log),
                    "--access-logformat",
                    "%(r)s %(s)s %({range}i)s",
                ]
                if access_log
                else []
            ),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr_file,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, process, stderr_file=stderr_file)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stderr_file.close()

"""Under gunicorn, /stream ranges leave through the kernel's sendfile with our offset and length.

A real gunicorn (sync worker) serves the test database. Its config file wraps
``socket.sendfile`` to log every call, so the test sees the offset and count gunicorn passed:
the proof that Python did not copy the bytes and that the range was honoured.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.catalog.factories import TrackFactory
from tests.servers import wait_until_ready
from tests.storage_backend import TEST_STORAGE

CONFIG = """
import json, socket

_real_sendfile = socket.socket.sendfile

def _logged_sendfile(self, file, offset=0, count=None):
    with open({log!r}, "a") as log:
        log.write(json.dumps({{"offset": offset, "count": count}}) + "\\n")
    return _real_sendfile(self, file, offset, count)

socket.socket.sendfile = _logged_sendfile
workers = 1
worker_class = "sync"
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def gunicorn_server(tmp_path, media_root):
    if connection.vendor != "postgresql":
        pytest.skip("the server process needs a database it can share with the test")
    if TEST_STORAGE == "s3":
        pytest.skip("sendfile serves local disk (the S3 modes: tests/storage)")
    port = _free_port()
    log = tmp_path / "sendfile.log"
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(CONFIG.format(log=str(log)))
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media_root),
        "DEBUG": "true",
        "STREAM_ACCEL_REDIRECT": "",
        "CELERY_BROKER_URL": "",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "veza.wsgi",
            "-c",
            str(config),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, process)
    except RuntimeError as error:
        pytest.fail(str(error))
    yield base, log, process
    process.terminate()
    process.wait(timeout=10)


def _sendfile_calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gunicorn_sends_ranges_with_sendfile_at_the_right_offset_and_length(gunicorn_server):
    base, log, process = gunicorn_server
    content = os.urandom(3 * 1024 * 1024)
    track = TrackFactory(content=content)
    url = f"{base}/api/v1/tracks/{track.pk}/stream"

    ranged = requests.get(url, headers={"Range": "bytes=1048576-2097151"}, timeout=10)
    suffix = requests.get(url, headers={"Range": "bytes=-100"}, timeout=10)
    full = requests.get(url, timeout=10)

    assert ranged.status_code == 206
    assert ranged.headers["Content-Range"] == f"bytes 1048576-2097151/{len(content)}"
    assert ranged.content == content[1048576:2097152]
    assert suffix.status_code == 206
    assert suffix.content == content[-100:]
    assert full.status_code == 200
    assert full.content == content
    process.terminate()
    server_log = process.stderr.read().decode()
    assert "Traceback" not in server_log, server_log[-3000:]
    assert "[ERROR]" not in server_log, server_log[-3000:]
    assert _sendfile_calls(log) == [
        {"offset": 1048576, "count": 1048576},
        {"offset": len(content) - 100, "count": 100},
        {"offset": 0, "count": len(content)},
    ]

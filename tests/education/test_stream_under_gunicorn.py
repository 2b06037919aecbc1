"""Under a real gunicorn, a learner's lesson bytes are counted as they leave (no sendfile), and a
client that hangs up early is credited only what was read out for it."""

import os
import socket
import time

import pytest
import requests

from apps.education.models import LessonProgress
from tests.conftest import bearer_client
from tests.education.factories import EnrollmentFactory, LessonFactory
from tests.streaming.test_gunicorn_sendfile import _sendfile_calls, gunicorn_server  # noqa: F401


def _served(enrollment, lesson, *, at_least: int = 1, deadline: float = 10.0):
    """The progress row once the server has closed the response (it writes after the body)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        row = LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).first()
        if row is not None and row.served_bytes >= at_least:
            return row
        time.sleep(0.1)
    return LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).first()


def _read_then_hang_up(base: str, path: str, headers: dict, nbytes: int) -> None:
    """A player that reads the first ``nbytes`` of the answer and closes its socket."""
    host, port = base.removeprefix("http://").split(":")
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        received = 0
        while received < nbytes:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += len(chunk)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gunicorn_counts_the_lesson_bytes_a_learner_really_received(gunicorn_server):  # noqa: F811
    base, log, process = gunicorn_server
    enrollment = EnrollmentFactory()
    size = 48 * 1024 * 1024
    lesson = LessonFactory(course=enrollment.course, content=os.urandom(size))
    url = f"{base}/api/v1/lessons/{lesson.pk}/stream"
    auth = {"Authorization": bearer_client(enrollment.user)._credentials["HTTP_AUTHORIZATION"]}

    tail = size - 1_000_000
    ranged = requests.get(url, headers={**auth, "Range": f"bytes={tail}-"}, timeout=30)
    after_range = _served(enrollment, lesson, at_least=1_000_000)
    _read_then_hang_up(base, f"/api/v1/lessons/{lesson.pk}/stream", auth, 64 * 1024)
    after_hang_up = _served(enrollment, lesson, at_least=1_000_001)

    assert ranged.status_code == 206
    assert len(ranged.content) == 1_000_000
    assert after_range.served_ranges == [[tail, size]]
    # The hung-up answer counts what was read out before the broken pipe: some of the file's
    # start (at least what the player read), far from all of it.
    (start, read_out), last = after_hang_up.served_ranges
    assert start == 0
    assert 64 * 1024 <= read_out < size // 2
    assert last == [tail, size]
    assert _sendfile_calls(log) == []  # counted bodies are read by the app, never sendfile'd
    process.terminate()
    server_log = process.stderr.read().decode()
    assert "Traceback" not in server_log, server_log[-3000:]

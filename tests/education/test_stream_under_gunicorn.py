"""Under a real gunicorn, a learner's lesson bytes are counted as they leave (no sendfile), and a
client that hangs up early is credited only what was read out for it."""

import os
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


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gunicorn_counts_the_lesson_bytes_a_learner_really_received(gunicorn_server):  # noqa: F811
    base, log, process = gunicorn_server
    enrollment = EnrollmentFactory()
    size = 48 * 1024 * 1024
    lesson = LessonFactory(course=enrollment.course, content=os.urandom(size))
    url = f"{base}/api/v1/lessons/{lesson.pk}/stream"
    auth = {"Authorization": bearer_client(enrollment.user)._credentials["HTTP_AUTHORIZATION"]}

    ranged = requests.get(url, headers={**auth, "Range": "bytes=0-999999"}, timeout=30)
    after_range = _served(enrollment, lesson, at_least=1_000_000)
    with requests.get(url, headers=auth, stream=True, timeout=30) as hung_up:
        next(hung_up.iter_content(64 * 1024))  # the player stops after the first 64 KiB
    time.sleep(1.0)
    after_hang_up = _served(enrollment, lesson, at_least=1_000_001)

    assert ranged.status_code == 206
    assert len(ranged.content) == 1_000_000
    assert after_range.served_ranges == [[0, 1_000_000]]
    assert 1_000_000 < after_hang_up.served_bytes < size // 2
    assert _sendfile_calls(log) == []  # counted bodies are read by the app, never sendfile'd
    process.terminate()
    server_log = process.stderr.read().decode()
    assert "Traceback" not in server_log, server_log[-3000:]

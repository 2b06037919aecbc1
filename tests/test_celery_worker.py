"""Emails really go through Celery: a worker process consumes the task from Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from veza.celery import app as celery_app
from veza.tasks import send_templated_email

ROOT = Path(__file__).resolve().parent.parent
WORKER_DEADLINE_SECONDS = 120


@pytest.mark.slow
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis as the broker")
def test_a_worker_process_renders_and_sends_the_email(tmp_path, monkeypatch):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    queue = f"test-{os.getpid()}-{time.time_ns()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "veza.settings",
        "CELERY_BROKER_URL": settings.REDIS_URL,
        "EMAIL_URL": f"filemail:///{outbox}",  # four slashes: an absolute path
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "veza",
            "worker",
            "--queues",
            queue,
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(celery_app.conf, "broker_url", settings.REDIS_URL)
    try:
        send_templated_email.apply_async(
            kwargs={
                "template": "verify_email",
                "to": "worker@example.com",
                "context": {
                    "username": "worker",
                    "link": "http://localhost:8000/verify-email?token=t",
                },
            },
            queue=queue,
        )
        # A worker starting on a loaded machine can take many seconds to import Django and
        # connect: poll for the outcome with a generous deadline.
        deadline = time.monotonic() + WORKER_DEADLINE_SECONDS
        files = []
        while time.monotonic() < deadline and not files:
            files = list(outbox.iterdir())
            time.sleep(0.2)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    assert len(files) == 1, worker.stderr.read().decode()[-2000:]
    message = files[0].read_text()
    assert "To: worker@example.com" in message
    assert "Subject: Confirm your email address for Veza" in message
    assert "verify-email?token=t" in message
    assert "text/html" in message

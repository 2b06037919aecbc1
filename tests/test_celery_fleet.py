"""The fleet's Celery behaviour with real workers on the real Redis broker and the test
database (README "Scaling out"): mail is not held up by a saturated media queue, and a worker
killed mid-job (SIGKILL of the whole worker, as when a host is lost) costs minutes: a new
worker finishes the job, once."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest
import redis
from django.conf import settings

from apps.accounts.models import AuditLog
from apps.catalog.models import HlsStatus, Track
from tests import servers
from tests.catalog.factories import TrackFactory
from veza.celery import app as celery_app
from veza.tasks import send_templated_email

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis as the broker"),
]

ROOT = Path(__file__).resolve().parent.parent
#: Short limits, so a lost job is taken over within seconds instead of half an hour: the media
#: tasks' hard limit (it must still fit one transcoding of AUDIO_SECONDS on a busy machine),
#: the deadline margin and the sweeper's period. The other tasks keep a long limit, so the
#: broker's visibility timeout (derived from the longest) is far beyond the test: what brings
#: the killed job back is the job sweeper.
MEDIA_TIME_LIMIT = 75
FAST_JOBS = {
    "MEDIA_TASK_TIME_LIMIT": str(MEDIA_TIME_LIMIT),
    "CELERY_TASK_TIME_LIMIT": "900",
    "GDPR_EXPORT_TIMEOUT_MINUTES": "1",
    "JOBS_DEADLINE_MARGIN_SECONDS": "5",
    "JOBS_SWEEP_INTERVAL_SECONDS": "5",
}
#: Seconds of audio per track: transcoding takes seconds, long enough to kill it midway.
AUDIO_SECONDS = 120
READY_SECONDS = 120


def _noise_wav(seconds: int, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(random.Random(seconds).randbytes(seconds * rate * 2))
    return buffer.getvalue()


def _broker_reset() -> None:
    """Empty both queues and forget unacknowledged messages of earlier runs."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("default", "media", "unacked", "unacked_index", "unacked_mutex")


class Worker:
    """``celery -A veza worker`` in its own process group, logging to a file."""

    def __init__(self, *, name: str, queues: str, log: Path, env: dict, beat_dir=None):
        self.log = log
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "veza",
            "worker",
            "--hostname",
            f"{name}@%h",
            "--queues",
            queues,
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat_dir is not None:
            # Embedded beat with a file schedule: the jobs sweeper runs on its beat entry.
            command += [
                "--beat",
                "--scheduler",
                "celery.beat:PersistentScheduler",
                "--schedule",
                str(beat_dir / "beat-schedule"),
            ]
        self.output = log.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while b" ready." not in self.log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"worker did not start: {self.tail()}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.output.close()

    def tail(self) -> str:
        return self.log.read_bytes().decode(errors="replace")[-3000:]


@pytest.fixture
def fleet(transactional_db, tmp_path, media_root, monkeypatch):
    """Start workers against the test database and the test Redis; stop them afterwards."""
    _broker_reset()
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "veza.settings",
        "DATABASE_URL": servers.test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "EMAIL_URL": f"filemail:///{outbox}",
        "SECRET_KEY": settings.SECRET_KEY,
        **FAST_JOBS,
    }
    started: list[Worker] = []

    def start(name: str, queues: str, *, beat: bool = False) -> Worker:
        worker = Worker(
            name=name,
            queues=queues,
            log=tmp_path / f"{name}.log",
            env=env,
            beat_dir=tmp_path if beat else None,
        )
        started.append(worker)
        worker.wait_ready()
        return worker

    start.outbox = outbox
    yield start
    for worker in started:
        worker.stop()
    _broker_reset()


def _wait_for(predicate, seconds: float, what: str, workers=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    logs = "\n".join(worker.tail() for worker in workers)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def test_an_email_is_sent_while_the_media_queue_is_saturated(fleet):
    media = fleet("media", "media")
    default = fleet("default", "default")
    audio = _noise_wav(AUDIO_SECONDS)
    tracks = [TrackFactory(content=audio) for _ in range(3)]
    hls_transcode = celery_app.tasks["streaming.hls_transcode"]
    for track in tracks:
        hls_transcode.delay(str(track.pk))
    _wait_for(
        lambda: Track.objects.filter(hls_status=HlsStatus.PENDING).exists(),
        60,
        "the media worker to start transcoding",
        [media],
    )

    sent_at = time.monotonic()
    send_templated_email.delay(
        template="verify_email",
        to="queued@example.com",
        context={"username": "queued", "link": "http://localhost:8000/verify-email?token=t"},
    )
    mails = _wait_for(lambda: list(fleet.outbox.iterdir()), 60, "the email", [default])
    waited = time.monotonic() - sent_at
    statuses = sorted(Track.objects.values_list("hls_status", flat=True))

    assert len(mails) == 1
    assert "To: queued@example.com" in mails[0].read_text()
    # The media queue was still busy and backed up when the mail went out.
    assert HlsStatus.NONE in statuses, (statuses, waited)
    assert waited < 30, waited
    print(f"\nemail delivered {waited:.1f} s after it was queued; tracks then: {statuses}")


def test_a_job_whose_worker_is_killed_midway_finishes_once_on_a_new_worker(fleet):
    track = TrackFactory(content=_noise_wav(AUDIO_SECONDS))
    first = fleet("doomed", "media,default")
    celery_app.tasks["streaming.hls_transcode"].delay(str(track.pk))
    _wait_for(
        lambda: Track.objects.filter(pk=track.pk, hls_status=HlsStatus.PENDING).exists(),
        60,
        "the transcoding to start",
        [first],
    )
    time.sleep(1.0)  # well inside the transcoding

    first.kill()
    track.refresh_from_db()
    assert (track.hls_status, track.hls_attempts) == (HlsStatus.PENDING, 1)

    started = time.monotonic()
    second = fleet("survivor", "media,default", beat=True)
    _wait_for(
        lambda: Track.objects.filter(pk=track.pk, hls_status=HlsStatus.READY).exists(),
        300,
        "the job to finish on the new worker",
        [second],
    )
    took = time.monotonic() - started

    track.refresh_from_db()
    # Two starts: the killed one and the one that finished. READY is final: nothing claims the
    # job again, so it finished exactly once.
    assert track.hls_attempts == 2
    requeued = AuditLog.objects.filter(action="track.hls.requeued", target_id=str(track.pk))
    assert list(requeued.values_list("metadata", flat=True)) == [
        {"attempts": 1, "task": "streaming.hls_transcode"}
    ]
    assert took < 300
    master = Path(settings.MEDIA_ROOT) / "hls" / str(track.pk) / "master.m3u8"
    print(f"\nkilled job finished {took:.0f} s after the new worker started")
    assert master.read_text().startswith("#EXTM3U"), list(master.parent.parent.iterdir())

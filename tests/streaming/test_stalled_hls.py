"""HLS transcoding left ``pending`` by a lost worker: a redelivered message waits for the
claim's deadline, the job sweeper then starts it again or fails it (veza.jobs)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.catalog.demo_audio import sine_audio
from apps.catalog.models import HlsStatus, Track
from apps.streaming import services
from tests.catalog.factories import TrackFactory

pytestmark = pytest.mark.django_db


def _claimed(deadline, attempts=1, **kwargs):
    return TrackFactory(
        content=sine_audio("mp3", seconds=2.0),
        hls_status=HlsStatus.PENDING,
        hls_attempts=attempts,
        hls_deadline=deadline,
        **kwargs,
    )


def test_a_second_delivery_while_the_claim_holds_does_nothing():
    track = _claimed(timezone.now() + timedelta(minutes=5))

    services.hls_transcode(track_id=track.pk)

    track.refresh_from_db()
    assert (track.hls_status, track.hls_attempts) == (HlsStatus.PENDING, 1)


def test_a_delivery_after_the_claim_deadline_takes_the_job_over_and_finishes_it():
    track = _claimed(timezone.now() - timedelta(seconds=1))

    services.hls_transcode(track_id=track.pk)

    track.refresh_from_db()
    assert (track.hls_status, track.hls_attempts) == (HlsStatus.READY, 2)


def test_the_sweeper_starts_a_stalled_transcoding_again(django_capture_on_commit_callbacks):
    now = timezone.now()
    track = _claimed(now - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.hls_requeue_stalled(now=now)

    track.refresh_from_db()
    assert counts == {"requeued": 1, "failed": 0}
    assert (track.hls_status, track.hls_attempts) == (HlsStatus.READY, 2)
    assert AuditLog.objects.filter(
        action="track.hls.requeued", target_id=str(track.pk), metadata__attempts=1
    ).exists()


def test_a_transcoding_that_keeps_losing_its_worker_is_failed(settings):
    settings.JOBS_MAX_ATTEMPTS = 2
    now = timezone.now()
    track = _claimed(now - timedelta(seconds=1), attempts=2)
    running = _claimed(now + timedelta(seconds=30), attempts=2)

    counts = services.hls_requeue_stalled(now=now)

    assert counts == {"requeued": 0, "failed": 1}
    assert Track.objects.get(pk=track.pk).hls_status == HlsStatus.FAILED
    assert Track.objects.get(pk=running.pk).hls_status == HlsStatus.PENDING
    entry = AuditLog.objects.get(action="track.hls.failed")
    assert entry.metadata == {
        "attempts": 2,
        "task": "streaming.hls_transcode",
        "reason": "Started 2 times without finishing: its worker was lost or ran out of time.",
    }

"""An upload whose processing worker was lost is probed again, or failed after a few starts
(the job sweeper, veza.jobs; README "Scaling out")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.catalog import services
from apps.catalog.demo_audio import sine_audio
from apps.catalog.models import ProcessingStatus, Track
from tests.catalog.factories import TrackFactory

pytestmark = pytest.mark.django_db


def test_a_track_left_processing_past_its_deadline_is_probed_again_and_becomes_ready(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    track = TrackFactory(
        content=sine_audio("mp3", seconds=2.0),
        status=ProcessingStatus.PROCESSING,
        duration=None,
        processing_attempts=1,
        processing_deadline=now - timedelta(seconds=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.tracks_requeue_stalled(now=now)

    track.refresh_from_db()
    assert counts == {"requeued": 1, "failed": 0}
    assert track.status == ProcessingStatus.READY
    assert track.duration == pytest.approx(2.0, abs=0.1)
    assert track.processing_attempts == 2
    entry = AuditLog.objects.get(action="track.processing.requeued")
    assert (entry.target_id, entry.metadata) == (
        str(track.pk),
        {"attempts": 1, "task": "catalog.track_process"},
    )


def test_a_track_whose_worker_died_as_often_as_allowed_is_failed_with_the_reason(settings):
    settings.JOBS_MAX_ATTEMPTS = 3
    now = timezone.now()
    track = TrackFactory(
        status=ProcessingStatus.PROCESSING,
        processing_attempts=3,
        processing_deadline=now - timedelta(seconds=1),
    )

    counts = services.tracks_requeue_stalled(now=now)

    track.refresh_from_db()
    assert counts == {"requeued": 0, "failed": 1}
    assert track.status == ProcessingStatus.FAILED
    assert track.failure_reason == (
        "Started 3 times without finishing: its worker was lost or ran out of time."
    )
    assert track.processing_attempts == 3
    entry = AuditLog.objects.get(action="track.processing.failed")
    assert entry.metadata["reason"] == track.failure_reason


def test_a_track_still_within_its_deadline_or_finished_is_left_alone(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    running = TrackFactory(
        status=ProcessingStatus.PROCESSING,
        processing_attempts=1,
        processing_deadline=now + timedelta(minutes=5),
    )
    ready = TrackFactory(processing_attempts=1, processing_deadline=now - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        counts = services.tracks_requeue_stalled(now=now)

    assert counts == {"requeued": 0, "failed": 0}
    assert callbacks == []
    assert Track.objects.get(pk=running.pk).processing_attempts == 1
    assert Track.objects.get(pk=ready.pk).status == ProcessingStatus.READY
    assert not AuditLog.objects.filter(action__startswith="track.processing.").exists()


def test_an_upload_whose_message_was_lost_is_sent_again_after_the_queue_timeout(
    settings, django_capture_on_commit_callbacks
):
    settings.JOBS_QUEUE_TIMEOUT_SECONDS = 600
    now = timezone.now()
    lost = TrackFactory(
        content=sine_audio("mp3", seconds=1.0),
        status=ProcessingStatus.PROCESSING,
        created_at=now - timedelta(seconds=601),
    )
    waiting = TrackFactory(
        status=ProcessingStatus.PROCESSING, created_at=now - timedelta(seconds=599)
    )

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.tracks_requeue_stalled(now=now)

    assert counts == {"requeued": 1, "failed": 0}
    assert Track.objects.get(pk=lost.pk).status == ProcessingStatus.READY
    assert Track.objects.get(pk=waiting.pk).status == ProcessingStatus.PROCESSING


def test_processing_counts_each_start_and_sets_a_deadline_past_the_hard_time_limit(settings):
    settings.CELERY_TASK_ANNOTATIONS = {"catalog.track_process": {"time_limit": 100}}
    settings.JOBS_DEADLINE_MARGIN_SECONDS = 20
    track = TrackFactory(content=b"not audio", status=ProcessingStatus.PROCESSING)
    before = timezone.now()

    services.track_process(track_id=track.pk)

    track.refresh_from_db()
    assert track.processing_attempts == 1
    assert before + timedelta(seconds=120) <= track.processing_deadline
    assert track.processing_deadline <= timezone.now() + timedelta(seconds=120)

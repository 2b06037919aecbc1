"""The catalog's background job as the job sweeper sees it (:mod:`veza.jobs`)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from apps.catalog import media_cache
from apps.catalog.models import ProcessingStatus, Track
from veza.jobs import StalledJobs, stalled_jobs_requeue

TRACK_PROCESSING = StalledJobs(
    name="track.processing",
    task="catalog.track_process",
    model=Track,
    active=Q(status=ProcessingStatus.PROCESSING),
    attempts_field="processing_attempts",
    deadline_field="processing_deadline",
    queued_since_field="created_at",
    requeue={},
    fail=lambda reason, now: {
        "status": ProcessingStatus.FAILED,
        "failure_reason": reason[:255],
        "updated_at": now,
    },
    changed=media_cache.bump_on_commit,
)


def tracks_requeue_stalled(*, now: datetime | None = None) -> dict[str, int]:
    """Uploads still processing past their deadline are probed again, or failed after
    ``JOBS_MAX_ATTEMPTS`` starts (audited ``track.processing.requeued`` / ``.failed``)."""
    return stalled_jobs_requeue(jobs=TRACK_PROCESSING, now=now)

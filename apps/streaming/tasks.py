"""Streaming background work: take ids, reload, call a service (idempotent)."""

from celery import shared_task

from apps.platform_settings.selectors import flag_enabled
from apps.streaming import selectors, services


@shared_task(name=services.HLS_TASK, acks_late=True, reject_on_worker_lost=True)
def hls_transcode(track_id: str) -> str | None:
    track = services.hls_transcode(track_id=track_id)
    return track.hls_status if track is not None else None


@shared_task(name="streaming.hls_backfill")
def hls_backfill(limit: int = 50) -> int:
    """While ``hls_streaming`` is on, queue tracks that became ready before it was switched on."""
    if not flag_enabled("hls_streaming"):
        return 0
    track_ids = selectors.hls_backfill_candidates(limit=limit)
    for track_id in track_ids:
        hls_transcode.delay(str(track_id))
    return len(track_ids)

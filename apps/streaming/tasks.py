"""Streaming background work."""

from celery import shared_task

from apps.streaming import services


@shared_task(name="streaming.hls_transcode", acks_late=True)
def hls_transcode(track_id: str) -> str | None:
    track = services.hls_transcode(track_id=track_id)
    return track.hls_status if track is not None else None


@shared_task(name="streaming.hls_backfill")
def hls_backfill(limit: int = 50) -> int:
    """While ``hls_streaming`` is on, queue tracks that became ready before it was switched on."""
    return services.hls_backfill(limit=limit)

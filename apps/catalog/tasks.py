"""Catalog background work: take ids, reload, call a service (idempotent)."""

from celery import shared_task

from apps.catalog import services


@shared_task(name="catalog.track_process", acks_late=True, reject_on_worker_lost=True)
def track_process(track_id: str) -> str | None:
    track = services.track_process(track_id=track_id)
    return track.status if track is not None else None

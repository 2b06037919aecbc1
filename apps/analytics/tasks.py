"""Analytics background work: the rollup beat (every 5 minutes, veza/settings.py)."""

from celery import shared_task

from apps.analytics import services


@shared_task(name="analytics.rollup_advance", acks_late=True, reject_on_worker_lost=True)
def rollup_advance() -> int:
    """Idempotent: a second run finds nothing above the mark, and a retried run recomputes
    the same buckets to the same rows."""
    return services.rollup_advance()

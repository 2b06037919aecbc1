"""Distribution's background work: take ids, reload, call a service. Every task is idempotent
(the services lock the release and re-check its status), so a retried or duplicated task is
harmless; the scheduled ones are in ``CELERY_BEAT_SCHEDULE`` (settings)."""

from celery import shared_task

from apps.distribution import services
from apps.distribution.providers import ProviderError


@shared_task(name="distribution.release_submit", acks_late=True)
def release_submit(release_id: str) -> str:
    """Send one release to the provider (queued after the submission commits)."""
    return services.release_submit(release_id=release_id)


@shared_task(
    name="distribution.release_takedown_send",
    acks_late=True,
    autoretry_for=(ProviderError,),
    retry_backoff=True,
    retry_backoff_max=3600,
    max_retries=10,
)
def release_takedown_send(release_id: str) -> str:
    return services.release_takedown_send(release_id=release_id)


@shared_task(name="distribution.poll_releases")
def poll_releases(limit: int = 500) -> dict[str, int]:
    """Due releases: pending ones are (re)submitted, the others' statuses fetched."""
    return services.releases_process_due(limit=limit)


@shared_task(name="distribution.enforce_eligibility")
def enforce_eligibility() -> int:
    """Take down live releases of creators whose paid plan ended past the grace period."""
    return services.distributions_enforce_eligibility()


@shared_task(
    name="distribution.royalty_import_process",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def royalty_import_process(import_id: str) -> None:
    """Import a big royalty report that was stored and queued (a job of ``veza.jobs``)."""
    services.royalty_import_process(import_id=import_id)

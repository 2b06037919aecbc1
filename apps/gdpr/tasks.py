"""Personal-data background work: take ids, reload, call a service; idempotent.

Schedules: ``CELERY_BEAT_SCHEDULE`` in ``veza/settings.py``.
"""

from celery import shared_task

from apps.gdpr import services


@shared_task(
    name="gdpr.export_build", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def export_build(export_id: str) -> None:
    services.export_process(export_id=export_id)


@shared_task(name="gdpr.exports_expire", ignore_result=True)
def exports_expire() -> int:
    return services.exports_expire()


@shared_task(name="gdpr.hard_delete_due", ignore_result=True)
def hard_delete_due() -> int:
    """The daily erasure job: accounts deleted 30 days ago, then invoices past retention."""
    finished = services.deletions_finish_due()
    services.retained_invoices_purge()
    return finished

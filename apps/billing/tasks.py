"""Billing's scheduled job. Registered as a django-celery-beat periodic task by the migration
``0003_seed_billing_periodic_task`` (every 10 minutes, editable in the admin)."""

from celery import shared_task

from apps.billing import services

PROCESS_DUE_TASK = "billing.process_due_subscriptions"


@shared_task(name=PROCESS_DUE_TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def process_due_subscriptions() -> dict[str, int]:
    """Renewals, scheduled changes, trial ends, expiries and payment retries that are due.

    Idempotent and safe on several workers at once (see :mod:`apps.billing.services.renewals`).
    """
    return services.subscriptions_process_due()

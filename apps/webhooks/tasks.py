"""Webhook background work: take ids, reload, call a service (idempotent).

Deliveries run on the ``default`` queue with ``acks_late`` (a worker that dies mid-task leaves
the message to be redelivered) and time limits above the HTTP timeouts; the claim in
``webhook_delivery_attempt`` makes a second copy of a task do nothing. Retries are not Celery
retries: the next attempt's time is stored on the delivery and the sweeper (every 30 s, beat)
sends what is due, so no long ETA message waits in the broker.
"""

from celery import shared_task

from apps.webhooks import services


@shared_task(
    name="webhooks.delivery_attempt",
    acks_late=True,
    soft_time_limit=45,
    time_limit=60,
    ignore_result=True,
)
def delivery_attempt(delivery_id: str) -> str:
    return services.webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.deliveries_sweep", acks_late=True, time_limit=120, ignore_result=True)
def deliveries_sweep() -> int:
    due = services.webhook_deliveries_due()
    for delivery_id in due:
        delivery_attempt.delay(delivery_id)
    return len(due)


@shared_task(name="webhooks.events_prune", acks_late=True, time_limit=600, ignore_result=True)
def events_prune() -> int:
    return services.webhook_events_prune()

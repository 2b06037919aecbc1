"""Every write of webhooks. Views, the admin, tasks and other apps call these."""

from apps.webhooks.services.deliveries import (
    delivery_request,
    retry_delay,
    webhook_deliveries_due,
    webhook_delivery_attempt,
    webhook_events_prune,
)
from apps.webhooks.services.endpoints import (
    webhook_data_erase,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_disable,
    webhook_endpoint_secret_rotate,
    webhook_endpoint_update,
)
from apps.webhooks.services.events import (
    webhook_delivery_redeliver,
    webhook_endpoint_ping,
    webhook_event_record,
)

__all__ = [
    "delivery_request",
    "retry_delay",
    "webhook_data_erase",
    "webhook_deliveries_due",
    "webhook_delivery_attempt",
    "webhook_delivery_redeliver",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_disable",
    "webhook_endpoint_ping",
    "webhook_endpoint_secret_rotate",
    "webhook_endpoint_update",
    "webhook_event_record",
    "webhook_events_prune",
]

"""Recording events: the outbox write that domain services call inside their own transaction.

``webhook_event_record`` writes the event and one delivery per subscribed endpoint in the
caller's transaction, and queues the deliveries when it commits: a rolled-back change sends
nothing, and a delivery whose task is lost (a worker restart, a broker hiccup) is still found
by the sweeper (``webhooks.deliveries_sweep``).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from apps.webhooks import tasks
from apps.webhooks.catalogue import API_VERSION, PING, event_type_get
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from veza.api import ratelimit
from veza.api.exceptions import ApplicationError
from veza.api.exceptions import ErrorCode as GenericCode

#: Pings and redeliveries one account may ask for per hour: each makes Veza send a request.
MANUAL_SENDS_PER_HOUR = 60


def _json_ready(value: dict) -> dict:
    """Dates, decimals and UUIDs as JSON strings, once, as integrators will receive them."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _manual_send_allow(owner_id) -> None:
    usage = ratelimit.window_hit(
        key=f"webhooks:manual:{owner_id}", limit=MANUAL_SENDS_PER_HOUR, window=3600
    )
    if not usage.allowed:
        raise ApplicationError(
            "Too many pings and redeliveries this hour.",
            code=GenericCode.RATE_LIMITED,
            status_code=429,
            headers={"Retry-After": str(usage.retry_after())},
        )


def deliveries_enqueue_on_commit(delivery_ids: list[str]) -> None:
    """Queue the deliveries once the change commits. ``robust``: a broker that is down must
    not turn the caller's committed change into an error; the sweeper sends them later."""

    def enqueue() -> None:
        for delivery_id in delivery_ids:
            tasks.delivery_attempt.delay(delivery_id)

    transaction.on_commit(enqueue, robust=True)


def _event_create(*, owner_id, event_type: str, ordering_key: str, data_object: dict, now):
    event_uuid = uuid.uuid4()
    payload = {
        "id": str(event_uuid),
        "type": event_type,
        "created": now,
        "api_version": API_VERSION,
        "data": {"object": data_object},
    }
    return WebhookEvent.objects.create(
        uuid=event_uuid,
        owner_id=owner_id,
        type=event_type,
        ordering_key=ordering_key,
        payload=_json_ready(payload),
        created_at=now,
    )


def webhook_event_record(
    *,
    owner_id,
    event_type: str,
    object_id,
    data_object: dict,
    now: datetime | None = None,
) -> WebhookEvent | None:
    """Record ``event_type`` about one object for the endpoints of ``owner_id`` that want it.

    Nothing is written when no active endpoint of the owner subscribed to the type: one query
    is all an event costs an account without webhooks. ``data_object`` is the object as
    integrators receive it (``data.object``); ``object_id`` keys the per-object order of
    ordered types (catalogue).
    """
    spec = event_type_get(event_type)
    candidates = WebhookEndpoint.objects.filter(
        owner_id=owner_id, is_active=True, owner__is_active=True
    ).values_list("pk", "event_types")
    endpoint_ids = [pk for pk, types in candidates if event_type in (types or [])]
    if not endpoint_ids:
        return None
    now = now or timezone.now()
    object_type = data_object.get("object", event_type.split(".", 1)[0])
    event = _event_create(
        owner_id=owner_id,
        event_type=event_type,
        ordering_key=f"{object_type}:{object_id}" if spec.ordered else "",
        data_object=data_object,
        now=now,
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint_id=pk, event=event, next_attempt_at=now, created_at=now)
        for pk in endpoint_ids
    )
    deliveries_enqueue_on_commit([str(delivery.pk) for delivery in deliveries])
    return event


@transaction.atomic
def webhook_endpoint_ping(*, endpoint: WebhookEndpoint, now: datetime | None = None):
    """A ``ping`` event to this endpoint only: one attempt, no retries, and it does not count
    towards disabling the endpoint (works on a switched-off endpoint too, to test it)."""
    _manual_send_allow(endpoint.owner_id)
    now = now or timezone.now()
    event = _event_create(
        owner_id=endpoint.owner_id,
        event_type=PING,
        ordering_key="",
        data_object={
            "object": "ping",
            "endpoint": str(endpoint.pk),
            "message": "A test event from Veza.",
        },
        now=now,
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, is_manual=True, next_attempt_at=now, created_at=now
    )
    deliveries_enqueue_on_commit([str(delivery.pk)])
    return delivery


@transaction.atomic
def webhook_delivery_redeliver(*, delivery: WebhookDelivery, now: datetime | None = None):
    """Send a delivery's event again, as it was (same event id, so a receiver that already
    processed it can tell): a new delivery with one attempt, out of order on purpose."""
    _manual_send_allow(delivery.endpoint.owner_id)
    now = now or timezone.now()
    again = WebhookDelivery.objects.create(
        endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id,
        is_manual=True,
        next_attempt_at=now,
        created_at=now,
    )
    deliveries_enqueue_on_commit([str(again.pk)])
    return again

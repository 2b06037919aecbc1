"""Webhooks: the user's endpoints (never the signing secret) and the events sent to them."""

from __future__ import annotations

from apps.gdpr.exporters.base import CHUNK_SIZE, Exporter
from apps.webhooks.selectors import webhook_endpoints_of_user, webhook_events_of_user


def webhook_rows(user, cut_off):
    endpoints = webhook_endpoints_of_user(user=user).filter(created_at__lte=cut_off)
    for endpoint in endpoints.order_by("created_at", "id"):
        yield {
            "type": "endpoint",
            "id": str(endpoint.pk),
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
            "is_active": endpoint.is_active,
            "created_at": endpoint.created_at,
            "disabled_at": endpoint.disabled_at,
            "disabled_reason": endpoint.disabled_reason,
        }
    events = webhook_events_of_user(user=user, cut_off=cut_off).values(
        "uuid", "type", "created_at", "payload"
    )
    for event in events.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "type": "event",
            "id": str(event["uuid"]),
            "event_type": event["type"],
            "created_at": event["created_at"],
            "payload": event["payload"],
        }


EXPORTERS = [
    Exporter(
        "webhooks.jsonl",
        "Your webhook endpoints (URL, description, event types, status; never the signing "
        "secret) and the events Veza recorded for them.",
        webhook_rows,
    ),
]

"""The event catalogue: every type an endpoint may subscribe to, who receives it, whether its
deliveries keep order per object, and an example of its ``data.object``.

Domain apps record their events through :func:`apps.webhooks.services.webhook_event_record`
with one of these types; the catalogue is also served at
``GET /api/v1/developer/webhooks/event-types`` and documented in the OpenAPI schema.
Every event body is ``{"id", "type", "created", "api_version", "data": {"object": {...}}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

API_VERSION = "v1"
PING = "ping"


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    receiver: str
    #: Deliveries of one object's events to one endpoint go out in the order they happened.
    ordered: bool
    example: dict = field(default_factory=dict)


_TRACK = {
    "id": "8d3c1f5e-7a41-4d2b-9c53-0f3f2a6b1c10",
    "object": "track",
    "title": "Night drive",
    "artist_name": "Jane Doe",
    "status": "ready",
    "moderation_status": "active",
    "visibility": "public",
    "duration": 183.4,
    "failure_reason": "",
    "created_at": "2026-11-28T09:00:00Z",
    "updated_at": "2026-11-28T09:01:12Z",
}
_SUBSCRIPTION = {
    "id": "0b6e2c1a-52d4-4d8e-8a7f-5a3b1d2c9e01",
    "object": "subscription",
    "change": "subscription.upgrade",
    "plan": "premium",
    "billing_cycle": "monthly",
    "status": "active",
    "current_period_start": "2026-11-28T09:00:00Z",
    "current_period_end": "2026-12-28T09:00:00Z",
    "cancel_at_period_end": False,
    "scheduled_plan": None,
}
_INVOICE = {
    "id": "5f1d7e2b-3c4a-4b6d-9e8f-1a2b3c4d5e6f",
    "object": "invoice",
    "number": "VZ-2026-000042",
    "status": "paid",
    "reason": "subscription_cycle",
    "subscription": "0b6e2c1a-52d4-4d8e-8a7f-5a3b1d2c9e01",
    "total": "19.99",
    "currency": "USD",
    "period_start": "2026-11-28T09:00:00Z",
    "period_end": "2026-12-28T09:00:00Z",
    "paid_at": "2026-11-28T09:00:01Z",
    "last_payment_error": "",
}

EVENT_TYPES: dict[str, EventType] = {
    event.name: event
    for event in (
        EventType(
            "track.ready",
            "A track finished processing and can be streamed.",
            "the track's owner",
            ordered=True,
            example=_TRACK,
        ),
        EventType(
            "track.failed",
            "A track could not be processed (`failure_reason` says why).",
            "the track's owner",
            ordered=True,
            example={**_TRACK, "status": "failed", "failure_reason": "Could not read the audio."},
        ),
        EventType(
            "track.taken_down",
            "Moderation took a track down: it is no longer streamed.",
            "the track's owner",
            ordered=True,
            example={**_TRACK, "moderation_status": "taken_down"},
        ),
        EventType(
            "subscription.changed",
            "A subscription was created, changed plan or cycle, was canceled or reactivated, "
            "renewed, fell past due, recovered or expired (`change` names the transition).",
            "the subscriber",
            ordered=True,
            example=_SUBSCRIPTION,
        ),
        EventType(
            "invoice.paid",
            "An invoice was paid (a subscription period, an upgrade's proration or a purchase).",
            "the invoiced user",
            ordered=True,
            example=_INVOICE,
        ),
        EventType(
            "invoice.payment_failed",
            "Charging an invoice failed; the subscription retries on its own schedule.",
            "the invoiced user",
            ordered=True,
            example={
                **_INVOICE,
                "status": "open",
                "paid_at": None,
                "last_payment_error": "card_declined",
            },
        ),
        EventType(
            "course.enrollment.created",
            "Someone enrolled in one of your courses (free or paid).",
            "the course's creator (the learner is named by id only)",
            ordered=False,
            example={
                "id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
                "object": "enrollment",
                "course": {"id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "slug": "bass-101"},
                "learner": "3e4f5a6b-7c8d-4e9f-0a1b-2c3d4e5f6a7b",
                "amount_paid": "29.00",
                "currency": "USD",
                "enrolled_at": "2026-11-28T09:00:00Z",
            },
        ),
        EventType(
            "distribution.status_changed",
            "A release of your track on one platform changed status (submitted, processing, "
            "live, rejected, takedown requested, taken down, failed).",
            "the distribution's owner",
            ordered=True,
            example={
                "id": "6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
                "object": "platform_release",
                "distribution": "7c6b5a4d-3e2f-4b1a-0c9d-8e7f6a5b4c3d",
                "track": "8d3c1f5e-7a41-4d2b-9c53-0f3f2a6b1c10",
                "platform": "spotify",
                "from_status": "processing",
                "status": "live",
                "status_reason": "",
                "changed_at": "2026-11-28T09:00:00Z",
            },
        ),
        EventType(
            "export.ready",
            "Your personal-data export is ready; the link needs your own credentials.",
            "the user the export is about",
            ordered=False,
            example={
                "id": "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
                "object": "data_export",
                "status": "ready",
                "size": 48213,
                "expires_at": "2026-12-05T09:00:00Z",
                "download_url": "https://veza.example/api/v1/users/me/exports/2d3e.../download",
            },
        ),
    )
}

#: Sent by ``POST …/{id}/ping`` only; never subscribed to.
PING_EXAMPLE = {
    "object": "ping",
    "endpoint": "4a5b6c7d-8e9f-4a0b-1c2d-3e4f5a6b7c8d",
    "message": "A test event from Veza.",
}


def event_type_get(name: str) -> EventType:
    """The catalogue entry for ``name``; an unknown type is a programming error."""
    try:
        return EVENT_TYPES[name]
    except KeyError:
        raise ValueError(f"Unknown webhook event type {name!r}") from None


def event_body_example(name: str) -> dict:
    example = PING_EXAMPLE if name == PING else EVENT_TYPES[name].example
    return {
        "id": "b1e2c3d4-e5f6-4789-a0b1-c2d3e4f5a6b7",
        "type": name,
        "created": "2026-11-28T09:00:00Z",
        "api_version": API_VERSION,
        "data": {"object": example},
    }

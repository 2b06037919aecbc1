"""Reads of webhooks: always scoped to the owner (another account's ids answer 404)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from apps.webhooks.exceptions import DeliveryNotFound, WebhookNotFound
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


def webhook_endpoints_of_user(*, user) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(owner=user).order_by("-created_at", "-id")


def webhook_endpoint_of_user(*, user, endpoint_id) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(owner=user, pk=endpoint_id).first()
    if endpoint is None:
        raise WebhookNotFound()
    return endpoint


def webhook_deliveries_of_endpoint(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The delivery log, newest first, with each delivery's event and attempts (no N+1)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(
            Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
        )
        .order_by("-created_at", "-id")
    )


def webhook_delivery_of_endpoint(*, endpoint: WebhookEndpoint, delivery_id) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise DeliveryNotFound()
    return delivery


def webhook_events_of_user(*, user, cut_off) -> QuerySet[WebhookEvent]:
    """Events recorded for the account (what its endpoints were sent), oldest first."""
    return WebhookEvent.objects.filter(owner=user, created_at__lte=cut_off).order_by("id")

"""Outgoing webhooks: the integrator's endpoints, the outbox of events and the delivery log.

An event row and its delivery rows are written in the transaction of the change they describe
(the outbox): a rolled-back change leaves none, and a committed one is delivered even if the
task that was queued after the commit is lost (the sweeper picks up due deliveries).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookEndpoint(models.Model):
    """A URL of an integrator that receives the events it subscribed to, signed with its
    secret. Secrets are stored encrypted (``veza.crypto``): they must be readable to sign."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=255, blank=True)
    event_types = models.JSONField(default=list, help_text="Event types this endpoint receives.")
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=512, editable=False, help_text="Encrypted.")
    previous_secret = models.CharField(max_length=512, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    failing_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="First failed attempt since the last success; disabled after the retry window.",
    )
    last_success_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "webhook endpoint"
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="webhook_owner_created_idx"),
            models.Index(
                fields=["owner"],
                name="webhook_owner_active_idx",
                condition=models.Q(is_active=True),
            ),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One thing that happened, as integrators receive it (``payload``).

    The integer primary key is the outbox order: deliveries of one object's events to one
    endpoint go out in this order when the event type says so (``ordering_key``). Integrators
    see ``uuid`` as the event id (``Veza-Event-Id``) and deduplicate by it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_events"
    )
    type = models.CharField(max_length=64)
    #: ``<object type>:<object id>`` for ordered types; empty when order does not matter.
    ordering_key = models.CharField(max_length=100, blank=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = "webhook event"
        indexes = [
            models.Index(fields=["owner", "-id"], name="webhook_event_owner_idx"),
            models.Index(fields=["created_at"], name="webhook_event_created_idx"),
            models.Index(
                fields=["ordering_key", "id"],
                name="webhook_event_ordering_idx",
                condition=~models.Q(ordering_key=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.uuid}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (gave up)"


class WebhookDelivery(models.Model):
    """One event to one endpoint, with its retries (each try is a :class:`WebhookAttempt`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    #: A ping or a redelivery asked for by the owner: one attempt, out of order on purpose,
    #: and it does not count towards disabling the endpoint.
    is_manual = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    #: A worker holds the delivery until then; after a crash the sweeper takes it again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log_idx"),
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: what the endpoint answered and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)
    response_excerpt = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"

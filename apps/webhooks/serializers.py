"""Webhook input and output shapes (README "Webhooks for integrators")."""

from __future__ import annotations

from rest_framework import serializers

from apps.webhooks.catalogue import EVENT_TYPES
from apps.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

_EVENT_TYPE_CHOICES = list(EVENT_TYPES)


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(
        max_length=2000,
        help_text="Where events are POSTed; https:// required in production. The address it "
        "resolves to must be public.",
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=_EVENT_TYPE_CHOICES),
        min_length=1,
        max_length=len(_EVENT_TYPE_CHOICES),
        help_text="Event types this endpoint receives (see GET …/webhooks/event-types).",
    )
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookEndpointUpdateInputSerializer(WebhookEndpointInputSerializer):
    url = serializers.URLField(max_length=2000, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=_EVENT_TYPE_CHOICES),
        min_length=1,
        max_length=len(_EVENT_TYPE_CHOICES),
        required=False,
    )
    is_active = serializers.BooleanField(
        required=False,
        help_text="false pauses deliveries (pending ones are given up); true resumes and "
        "clears the failure streak of a disabled endpoint.",
    )


class WebhookEndpointOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "created_at",
            "updated_at",
            "last_success_at",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "previous_secret_expires_at",
        ]
        read_only_fields = fields


class WebhookEndpointCreatedOutputSerializer(WebhookEndpointOutputSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (whsec_…): shown in this response only."
    )

    class Meta(WebhookEndpointOutputSerializer.Meta):
        fields = [*WebhookEndpointOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookAttemptOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "status_code", "duration_ms", "error", "response_excerpt", "created_at"]
        read_only_fields = fields


class WebhookDeliveryOutputSerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.uuid", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    attempt_log = WebhookAttemptOutputSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "is_manual",
            "attempts",
            "last_status_code",
            "last_duration_ms",
            "last_error",
            "last_attempt_at",
            "next_attempt_at",
            "created_at",
            "attempt_log",
        ]
        read_only_fields = fields


class WebhookEventObjectSerializer(serializers.Serializer):
    object = serializers.DictField(help_text="The object the event is about, as it was then.")


class WebhookEventPayloadSerializer(serializers.Serializer):
    """The JSON body POSTed to an endpoint (documented here; never accepted as input)."""

    id = serializers.UUIDField(help_text="The event id (also Veza-Event-Id): deduplicate by it.")
    type = serializers.ChoiceField(choices=[*_EVENT_TYPE_CHOICES, "ping"])
    created = serializers.DateTimeField()
    api_version = serializers.CharField()
    data = WebhookEventObjectSerializer()

    class Meta:
        ref_name = "WebhookEventPayload"


class WebhookEventTypeOutputSerializer(serializers.Serializer):
    type = serializers.CharField()
    description = serializers.CharField()
    receiver = serializers.CharField(help_text="Whose endpoints receive it.")
    ordered = serializers.BooleanField(
        help_text="Deliveries about one object go out in order (a later event waits while an "
        "earlier one about the same object is being retried)."
    )
    example = WebhookEventPayloadSerializer()

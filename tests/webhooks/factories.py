"""Webhook test data: endpoints with a known secret, events with deliveries."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.webhooks import signing
from apps.webhooks.catalogue import EVENT_TYPES
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.accounts.factories import UserFactory

SECRET = "whsec_test-secret-known-to-the-receiver"


class WebhookEndpointFactory(DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    owner = factory.SubFactory(UserFactory, verified=True)
    url = "https://hooks.example.com/veza"
    description = "Integration"
    event_types = factory.LazyFunction(lambda: list(EVENT_TYPES))
    secret = factory.LazyFunction(lambda: signing.secret_seal(SECRET))


class WebhookEventFactory(DjangoModelFactory):
    class Meta:
        model = WebhookEvent

    owner = factory.SubFactory(UserFactory, verified=True)
    type = "track.ready"
    payload = factory.LazyAttribute(
        lambda event: {
            "id": str(event.uuid),
            "type": event.type,
            "created": timezone.now().isoformat(),
            "api_version": "v1",
            "data": {"object": {"object": "track", "title": "Jane's song"}},
        }
    )
    uuid = factory.Faker("uuid4", cast_to=None)


class WebhookDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = factory.SubFactory(WebhookEventFactory, owner=factory.SelfAttribute("..endpoint.owner"))
    next_attempt_at = factory.LazyFunction(timezone.now)


class WebhookAttemptFactory(DjangoModelFactory):
    class Meta:
        model = WebhookAttempt

    delivery = factory.SubFactory(WebhookDeliveryFactory)
    number = 1
    status_code = 500
    duration_ms = 12
    response_excerpt = "Jane's server says no"

"""Webhooks in the operations console: endpoints and deliveries are listed and searchable;
staff disable an endpoint through the audited service (its owner is emailed)."""

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import AuditLog
from apps.webhooks.models import WebhookEndpoint
from tests.webhooks.factories import WebhookAttemptFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_endpoints_and_deliveries_are_listed_searchable_and_filterable(admin_client):
    attempt = WebhookAttemptFactory(delivery__endpoint__url="https://jane.example/hooks")
    WebhookEndpointFactory(url="https://other.example/hooks")
    endpoints = reverse("admin:webhooks_webhookendpoint_changelist")
    deliveries = reverse("admin:webhooks_webhookdelivery_changelist")

    found = admin_client.get(endpoints, {"q": "jane.example"}).content.decode()
    assert "https://jane.example/hooks" in found
    assert "https://other.example/hooks" not in found
    assert admin_client.get(endpoints, {"is_active__exact": "1"}).status_code == 200
    listed = admin_client.get(
        deliveries, {"status": "pending", "q": str(attempt.delivery.event.uuid)}
    )
    assert listed.status_code == 200
    assert "track.ready" in listed.content.decode()
    detail = admin_client.get(
        reverse("admin:webhooks_webhookdelivery_change", args=[attempt.delivery.pk])
    )
    assert "Jane&#x27;s server says no" in detail.content.decode()
    page = admin_client.get(
        reverse("admin:webhooks_webhookendpoint_change", args=[attempt.delivery.endpoint.pk])
    ).content.decode()
    assert "aesgcm1" not in page  # the encrypted secret is never shown


def test_staff_disable_an_endpoint_through_the_audited_service(
    admin_client, staff_user, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:webhooks_webhookendpoint_changelist"),
            {
                "action": "disable",
                "_selected_action": [str(endpoint.pk)],
                "index": "0",
                "confirm": "yes",
                "reason": "Disabled by Veza staff.",
            },
            follow=True,
        )

    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_reason) == (False, "Disabled by Veza staff.")
    entry = AuditLog.objects.get(action="webhook.disable")
    assert (entry.actor, entry.target_id) == (staff_user, str(endpoint.pk))
    assert WebhookEndpoint.objects.filter(is_active=True).count() == 0
    [email] = mail.outbox
    assert email.to == [endpoint.owner.email]
    assert "Disabled by Veza staff." in email.body


def test_staff_cannot_edit_an_endpoint(admin_client):
    endpoint = WebhookEndpointFactory()

    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        {"url": "https://attacker.example/"},
    )

    assert response.status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/veza"

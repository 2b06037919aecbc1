from django.urls import path

from apps.webhooks import apis

urlpatterns = [
    path("developer/webhooks", apis.WebhookListCreateApi.as_view(), name="developer-webhooks"),
    path(
        "developer/webhooks/event-types",
        apis.WebhookEventTypesApi.as_view(),
        name="developer-webhook-event-types",
    ),
    path(
        "developer/webhooks/<uuid:webhook_id>",
        apis.WebhookDetailApi.as_view(),
        name="developer-webhook-detail",
    ),
    path(
        "developer/webhooks/<uuid:webhook_id>/rotate-secret",
        apis.WebhookSecretRotateApi.as_view(),
        name="developer-webhook-rotate-secret",
    ),
    path(
        "developer/webhooks/<uuid:webhook_id>/ping",
        apis.WebhookPingApi.as_view(),
        name="developer-webhook-ping",
    ),
    path(
        "developer/webhooks/<uuid:webhook_id>/deliveries",
        apis.WebhookDeliveryListApi.as_view(),
        name="developer-webhook-deliveries",
    ),
    path(
        "developer/webhooks/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/redeliver",
        apis.WebhookRedeliverApi.as_view(),
        name="developer-webhook-redeliver",
    ),
]

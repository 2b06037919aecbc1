"""Webhooks in the operations console: endpoints and their delivery log. Staff may disable an
endpoint (audited, its owner emailed) but not edit one: the URL and secret are the owner's."""

from django.contrib import admin, messages

from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import webhook_endpoint_disable
from veza.admin_tools import ReadOnlyAdminMixin, action_confirm
from veza.audit import RequestMeta


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "url",
        "owner",
        "is_active",
        "event_types",
        "last_success_at",
        "failing_since",
        "disabled_at",
        "created_at",
    )
    list_filter = ("is_active", "created_at", "disabled_at")
    search_fields = ("id", "url", "description", "owner__email", "owner__username")
    list_select_related = ("owner",)
    readonly_fields = (
        "id",
        "owner",
        "url",
        "description",
        "event_types",
        "is_active",
        "previous_secret_expires_at",
        "failing_since",
        "last_success_at",
        "disabled_at",
        "disabled_reason",
        "created_at",
        "updated_at",
    )
    exclude = ("secret", "previous_secret")
    actions = ["disable"]

    @admin.action(description="Disable the selected endpoints (owners are emailed)…")
    def disable(self, request, queryset):
        def perform(reason: str) -> None:
            meta = RequestMeta.from_request(request)
            done = sum(
                webhook_endpoint_disable(
                    endpoint=endpoint, actor=request.user, reason=reason, meta=meta
                )
                for endpoint in queryset.select_related("owner")
            )
            self.message_user(request, f"{done} endpoint(s) disabled.", messages.SUCCESS)

        return action_confirm(
            self,
            request,
            queryset.select_related("owner"),
            title="Disable webhook endpoints",
            consequence="No event is delivered to them until their owner enables them again; "
            "their pending deliveries are given up and each owner is emailed the reason.",
            confirm_label="Yes, disable them",
            perform=perform,
            describe=lambda endpoint: f"{endpoint.url} of {endpoint.owner.email}",
        )


class WebhookAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WebhookAttempt
    fields = ("number", "status_code", "duration_ms", "error", "response_excerpt", "created_at")
    readonly_fields = fields
    extra = 0


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_duration_ms",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "is_manual", "event__type", "created_at")
    search_fields = ("=id", "=event__uuid", "endpoint__url", "endpoint__owner__email")
    list_select_related = ("event", "endpoint")
    readonly_fields = (
        "id",
        "endpoint",
        "event",
        "status",
        "is_manual",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_attempt_at",
        "last_status_code",
        "last_duration_ms",
        "last_error",
        "created_at",
    )
    inlines = [WebhookAttemptInline]

    @admin.display(description="event", ordering="event__type")
    def event_type(self, delivery):
        return delivery.event.type

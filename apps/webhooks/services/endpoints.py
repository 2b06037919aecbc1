"""Endpoint writes: create (the secret is returned once), edit, delete, rotate the secret,
disable (by staff or after failing for the whole retry window). Every one is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.accounts.exceptions import EmailNotVerified
from apps.webhooks import signing, transport
from apps.webhooks.catalogue import EVENT_TYPES
from apps.webhooks.exceptions import WebhookLimitReached
from apps.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record
from veza.emails import email_send_on_commit

#: How long a rotated-out secret still signs deliveries (a second ``v1=``).
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
EDITABLE_FIELDS = ("url", "event_types", "description", "is_active")


def webhook_url_clean(url: str) -> str:
    """400 VALIDATION_ERROR on ``url`` for a URL that can never be delivered to (scheme,
    credentials, a private literal address); the address a name resolves to is checked again
    at every delivery."""
    try:
        transport.url_check(url)
    except transport.TargetRefused as exc:
        raise ValidationFailed(details={"url": [str(exc)]}) from None
    return url


def webhook_event_types_clean(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown or not event_types:
        raise ValidationFailed(
            details={
                "event_types": [
                    "Choose one or more of: " + ", ".join(EVENT_TYPES) + "."
                    if not unknown
                    else f"Unknown event types: {', '.join(unknown)}."
                ]
            }
        )
    return [name for name in EVENT_TYPES if name in event_types]


@transaction.atomic
def webhook_endpoint_create(
    *,
    owner,
    url: str,
    event_types: list[str],
    description: str = "",
    is_active: bool = True,
    meta: RequestMeta,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret, which is never shown again (only rotated).

    Verified accounts only (403 EMAIL_NOT_VERIFIED), at most ``WEBHOOKS_MAX_PER_USER``
    endpoints per account (409 WEBHOOK_LIMIT_REACHED): the owner's row lock serialises
    creations, so parallel requests cannot pass the cap together.
    """
    url = webhook_url_clean(url)
    event_types = webhook_event_types_clean(event_types)
    locked = get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    if locked is None or not locked.is_verified:
        raise EmailNotVerified()
    limit = settings.WEBHOOKS_MAX_PER_USER
    if WebhookEndpoint.objects.filter(owner=owner).count() >= limit:
        raise WebhookLimitReached(details={"limit": limit})
    secret = signing.secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        owner=owner,
        url=url,
        event_types=event_types,
        description=description,
        is_active=is_active,
        secret=signing.secret_seal(secret),
    )
    audit_record(
        action="webhook.create",
        actor=owner,
        target=endpoint,
        meta=meta,
        metadata={"url": url, "event_types": event_types},
    )
    return endpoint, secret


def _pending_abandon(endpoint: WebhookEndpoint, *, reason: str) -> int:
    """Deliveries still waiting for an endpoint that stopped receiving are given up (they can
    be redelivered by hand)."""
    return WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, claimed_until=None, last_error=reason
    )


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, data: dict, actor, meta: RequestMeta
) -> WebhookEndpoint:
    """Edit URL, event types, description or the active flag. Switching an endpoint back on
    clears its failure streak; switching it off gives up its pending deliveries."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    changed: dict = {}
    if "url" in data and data["url"] != endpoint.url:
        changed["url"] = webhook_url_clean(data["url"])
    if "event_types" in data:
        event_types = webhook_event_types_clean(data["event_types"])
        if event_types != endpoint.event_types:
            changed["event_types"] = event_types
    if "description" in data and data["description"] != endpoint.description:
        changed["description"] = data["description"]
    if "is_active" in data and data["is_active"] != endpoint.is_active:
        changed["is_active"] = data["is_active"]
    if not changed:
        return endpoint
    for name, value in changed.items():
        setattr(endpoint, name, value)
    if changed.get("is_active") is True:
        endpoint.failing_since = None
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
    endpoint.save()
    if changed.get("is_active") is False:
        _pending_abandon(endpoint, reason="endpoint switched off")
    audit_record(
        action="webhook.update",
        actor=actor,
        target=endpoint,
        meta=meta,
        metadata={"fields": sorted(changed), **({"url": endpoint.url} if "url" in changed else {})},
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor, meta: RequestMeta) -> None:
    """Deleting an endpoint deletes its delivery log; events stay for the owner's other
    endpoints."""
    audit_record(
        action="webhook.delete",
        actor=actor,
        target=endpoint,
        meta=meta,
        metadata={"url": endpoint.url},
    )
    endpoint.delete()


@transaction.atomic
def webhook_endpoint_secret_rotate(
    *, endpoint: WebhookEndpoint, actor, meta: RequestMeta, now: datetime | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new secret, returned once; the current one keeps signing (a second ``v1=``) for 24
    hours so receivers can switch without missing a delivery. Rotating twice within the
    grace period drops the oldest secret at once."""
    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = signing.secret_generate()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + PREVIOUS_SECRET_GRACE
    endpoint.secret = signing.secret_seal(secret)
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    audit_record(
        action="webhook.secret_rotate",
        actor=actor,
        target=endpoint,
        meta=meta,
        metadata={"previous_valid_until": endpoint.previous_secret_expires_at.isoformat()},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_disable(
    *,
    endpoint: WebhookEndpoint,
    actor,
    reason: str,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
) -> bool:
    """Switch an endpoint off (staff in the admin, or the delivery worker after the retry
    window) and tell its owner by email. Conditional: done and audited once."""
    now = now or timezone.now()
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason[:255], updated_at=now
    )
    if not updated:
        return False
    endpoint.refresh_from_db()
    abandoned = _pending_abandon(endpoint, reason="endpoint disabled")
    audit_record(
        action="webhook.disable",
        actor=actor,
        target=endpoint,
        meta=meta,
        metadata={
            "reason": reason,
            "owner": str(endpoint.owner_id),
            "deliveries_abandoned": abandoned,
        },
    )
    owner = endpoint.owner
    email_send_on_commit(
        template="webhook_endpoint_disabled",
        to=owner.email,
        context={
            "username": owner.username,
            "url": endpoint.url,
            "reason": reason,
            "endpoint_id": str(endpoint.pk),
        },
    )
    return True


@transaction.atomic
def webhook_data_erase(*, owner) -> dict:
    """An account's deletion: its endpoints stop receiving at once and go, with their
    delivery logs and the events recorded for it (they describe the account's objects)."""
    endpoints, _ = WebhookEndpoint.objects.filter(owner=owner).delete()
    events, _ = WebhookEvent.objects.filter(owner=owner).delete()
    return {"webhook_endpoints_deleted": endpoints, "webhook_events_deleted": events}

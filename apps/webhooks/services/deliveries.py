"""Delivering: one attempt of a delivery, the retry schedule, and the sweeper.

At least once: a delivery is claimed with a conditional update (one worker sends it, a second
copy of the task does nothing) and the claim expires, so a delivery whose worker died is sent
again by the sweeper. Receivers deduplicate by ``Veza-Event-Id``.

Retries (README "Webhooks for integrators"): after the n-th failed attempt the next one comes
``min(60 s * 3^(n-1), 10 h)`` later, ±20 % random jitter (so endpoints that failed together do
not all come back at once): about 1 min, 3 min, 9 min, 27 min, 1.4 h, 4 h, then every 10 h,
until ``WEBHOOKS_RETRY_WINDOW_HOURS`` (72) after the event; then the delivery is given up. An
endpoint whose deliveries have failed without a single success for the whole window is
disabled and its owner emailed.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.webhooks import signing, tasks, transport
from apps.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from apps.webhooks.services.endpoints import webhook_endpoint_disable
from veza import __version__

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 60
RETRY_FACTOR = 3
RETRY_MAX_SECONDS = 10 * 3600
RETRY_JITTER = 0.2
#: A worker holds a claimed delivery this long (more than the task's hard time limit).
CLAIM_SECONDS = 90
USER_AGENT = f"Veza-Webhooks/{__version__} (+https://veza.app/docs/webhooks)"

_random = random.SystemRandom()


def retry_window() -> timedelta:
    return timedelta(hours=settings.WEBHOOKS_RETRY_WINDOW_HOURS)


def retry_delay(failed_attempts: int, *, jitter: bool = True) -> timedelta:
    """The wait after the ``failed_attempts``-th failure (1-based), jittered."""
    exponent = min(max(failed_attempts, 1) - 1, 20)
    seconds = min(RETRY_BASE_SECONDS * RETRY_FACTOR**exponent, RETRY_MAX_SECONDS)
    if jitter:
        seconds *= _random.uniform(1 - RETRY_JITTER, 1 + RETRY_JITTER)
    return timedelta(seconds=seconds)


def _secrets_in_use(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    current = [signing.secret_open(endpoint.secret)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        current.append(signing.secret_open(endpoint.previous_secret))
    return current


def delivery_request(delivery: WebhookDelivery, *, now: datetime) -> tuple[bytes, dict]:
    """The body and headers of one attempt: the stored payload, signed now."""
    body = json.dumps(delivery.event.payload, separators=(",", ":")).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Veza-Event-Id": str(delivery.event.uuid),
        "Veza-Event-Type": delivery.event.type,
        "Veza-Delivery-Id": str(delivery.pk),
        "Veza-Signature": signing.signature_header(
            secrets_in_use=_secrets_in_use(delivery.endpoint, now), timestamp=timestamp, body=body
        ),
    }
    return body, headers


def _blocking_delivery(delivery: WebhookDelivery) -> WebhookDelivery | None:
    """For an ordered type: an earlier event about the same object still pending for the same
    endpoint (it must go first)."""
    if delivery.is_manual or not delivery.event.ordering_key:
        return None
    return (
        WebhookDelivery.objects.filter(
            endpoint_id=delivery.endpoint_id,
            status=DeliveryStatus.PENDING,
            is_manual=False,
            event__ordering_key=delivery.event.ordering_key,
            event_id__lt=delivery.event_id,
        )
        .order_by("event_id")
        .first()
    )


def _successor_release(delivery: WebhookDelivery, now: datetime) -> None:
    """The next event about the same object waited for this one: it may go now."""
    if delivery.is_manual or not delivery.event.ordering_key:
        return
    successor = (
        WebhookDelivery.objects.filter(
            endpoint_id=delivery.endpoint_id,
            status=DeliveryStatus.PENDING,
            is_manual=False,
            event__ordering_key=delivery.event.ordering_key,
            event_id__gt=delivery.event_id,
        )
        .order_by("event_id")
        .first()
    )
    if successor is None:
        return
    WebhookDelivery.objects.filter(pk=successor.pk).update(next_attempt_at=now)
    successor_id = str(successor.pk)
    transaction.on_commit(lambda: tasks.delivery_attempt.delay(successor_id), robust=True)


def _claim(delivery_id, now: datetime) -> WebhookDelivery | None:
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    if not claimed:
        return None
    return (
        WebhookDelivery.objects.select_related("endpoint__owner", "event")
        .filter(pk=delivery_id)
        .first()
    )


def webhook_delivery_attempt(*, delivery_id, now: datetime | None = None) -> str:
    """Make one attempt of a due delivery and record it. Returns what happened: ``skipped``
    (not due, or another worker has it), ``waiting`` (an earlier event about the same object
    goes first), ``succeeded``, ``retry`` or ``failed`` (given up)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return "skipped"
    endpoint = delivery.endpoint
    if not endpoint.is_active and not delivery.is_manual:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            claimed_until=None,
            last_error="endpoint disabled",
        )
        return "failed"
    blocker = _blocking_delivery(delivery)
    if blocker is not None:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            claimed_until=None, next_attempt_at=max(blocker.next_attempt_at or now, now)
        )
        return "waiting"
    body, headers = delivery_request(delivery, now=now)
    outcome = transport.post(url=endpoint.url, body=body, headers=headers)
    return _attempt_record(delivery, outcome, started=now)


@transaction.atomic
def _attempt_record(
    delivery: WebhookDelivery, outcome: transport.Outcome, *, started: datetime
) -> str:
    # The endpoint may have been deleted while the request was in flight: nothing to record.
    if not WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).exists():
        return "skipped"
    number = delivery.attempts + 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error[:255],
        response_excerpt=outcome.body_excerpt[:512],
        created_at=started,
    )
    values = {
        "attempts": number,
        "last_attempt_at": started,
        "last_status_code": outcome.status_code,
        "last_duration_ms": outcome.duration_ms,
        "last_error": outcome.error[:255],
        "claimed_until": None,
    }
    endpoint = delivery.endpoint
    if outcome.succeeded:
        values.update(status=DeliveryStatus.SUCCEEDED, next_attempt_at=None)
        result = "succeeded"
        if not delivery.is_manual:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                last_success_at=started, failing_since=None
            )
    else:
        window_start = delivery.created_at if delivery.is_manual else delivery.event.created_at
        next_at = started + retry_delay(number)
        if delivery.is_manual or next_at > window_start + retry_window():
            values.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
            result = "failed"
        else:
            values.update(next_attempt_at=next_at)
            result = "retry"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**values)
    for name, value in values.items():
        setattr(delivery, name, value)
    if not outcome.succeeded and not delivery.is_manual:
        _failure_streak_note(
            endpoint, started, gave_up_since=window_start if result == "failed" else None
        )
    if result != "retry":
        _successor_release(delivery, started)
    return result


def _failure_streak_note(
    endpoint: WebhookEndpoint, now: datetime, *, gave_up_since: datetime | None
) -> None:
    """Start the endpoint's failure streak, or disable the endpoint once the streak spans the
    retry window: a failure comes a whole window after the streak began, or a delivery is
    given up after its window with no success on the endpoint since its event
    (``gave_up_since``)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=now
    )
    endpoint.refresh_from_db(fields=["failing_since", "is_active", "last_success_at"])
    last_success = endpoint.last_success_at
    failed_for_window = endpoint.failing_since <= now - retry_window() or (
        gave_up_since is not None and (last_success is None or last_success < gave_up_since)
    )
    if endpoint.is_active and failed_for_window:
        hours = settings.WEBHOOKS_RETRY_WINDOW_HOURS
        webhook_endpoint_disable(
            endpoint=endpoint,
            actor=None,
            reason=f"Every delivery failed for {hours} hours.",
            now=now,
        )


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[str]:
    """Deliveries that are due and held by no worker: retries whose time came, and first
    attempts whose task never ran (lost with a worker or the broker)."""
    now = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return [str(pk) for pk in due]


def webhook_events_prune(*, now: datetime | None = None) -> int:
    """Events older than ``WEBHOOKS_LOG_RETENTION_DAYS`` go with their delivery logs once no
    delivery of theirs is pending: the log is for debugging an integration, not an archive.
    Returns how many events were deleted."""
    now = now or timezone.now()
    cut_off = now - timedelta(days=settings.WEBHOOKS_LOG_RETENTION_DAYS)
    old = WebhookEvent.objects.filter(created_at__lt=cut_off).exclude(
        deliveries__status=DeliveryStatus.PENDING
    )
    deleted = 0
    while True:
        batch = list(old.values_list("pk", flat=True)[:1000])
        if not batch:
            return deleted
        WebhookEvent.objects.filter(pk__in=batch).delete()
        deleted += len(batch)

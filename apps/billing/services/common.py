"""Helpers shared by the billing services."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects

from apps.billing.models import LIVE_STATUSES, Plan, Subscription
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record


def subscription_audit(
    *,
    action: str,
    subscription: Subscription,
    actor=None,
    meta: RequestMeta | None = None,
    **metadata: Any,
) -> None:
    """Every subscription transition leaves one audit row naming the subscription's user."""
    audit_record(
        action=action,
        actor=actor,
        target=subscription,
        meta=meta,
        metadata={"user_id": str(subscription.user_id), **metadata},
    )


def subscription_lock(*, subscription_id, live_only: bool = True) -> Subscription | None:
    """The subscription row, locked until the end of the transaction, with its plans and user
    loaded afterwards."""
    queryset = Subscription.objects.select_for_update().filter(pk=subscription_id)
    if live_only:
        queryset = queryset.filter(status__in=LIVE_STATUSES)
    # No join in the locking query: after waiting for a concurrent writer, PostgreSQL re-checks
    # the new row version against the rows it joined *before* waiting, so a row whose plan was
    # just changed (an upgrade) would silently not match. Related rows are read after the lock.
    locked = next(iter(queryset), None)
    if locked is not None:
        prefetch_related_objects([locked], "plan", "scheduled_plan", "user")
    return locked


def plan_by_code(*, code: str, field: str = "plan", allow_free: bool) -> Plan:
    """An active plan by code, or 400 VALIDATION_ERROR on ``field``."""
    plan = Plan.objects.filter(code=code, is_active=True).first() if code else None
    if plan is None or (plan.is_free and not allow_free):
        choices = Plan.objects.filter(is_active=True)
        if not allow_free:
            choices = choices.exclude(code="free")
        allowed = ", ".join(choices.values_list("code", flat=True))
        raise ValidationFailed(
            details={field: [f'"{code}" is not a valid plan. Choose one of: {allowed}.']}
        )
    return plan

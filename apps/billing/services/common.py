"""Helpers shared by the billing services."""

from __future__ import annotations

from typing import Any

from apps.accounts.services import RequestMeta, audit_record
from apps.billing.models import LIVE_STATUSES, Plan, Subscription
from veza.api.exceptions import ValidationFailed


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
    """The subscription row, locked until the end of the transaction (``FOR UPDATE OF`` the
    subscription only: its plans are read, not written)."""
    queryset = Subscription.objects.select_for_update(of=("self",)).select_related(
        "plan", "scheduled_plan", "user"
    )
    if live_only:
        queryset = queryset.filter(status__in=LIVE_STATUSES)
    return queryset.filter(pk=subscription_id).first()


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

"""Helpers shared by the billing services."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects

from apps.billing.models import LIVE_STATUSES, Invoice, InvoiceStatus, Plan, Subscription
from apps.webhooks.services import webhook_event_record
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record


def subscription_webhook_object(subscription: Subscription, *, change: str) -> dict:
    """A subscription as webhook receivers get it; ``change`` names the transition."""
    scheduled = subscription.scheduled_plan if subscription.scheduled_plan_id else None
    return {
        "id": str(subscription.pk),
        "object": "subscription",
        "change": change,
        "plan": subscription.plan.code,
        "billing_cycle": subscription.billing_cycle,
        "status": subscription.status,
        "current_period_start": subscription.current_period_start,
        "current_period_end": subscription.current_period_end,
        "trial_end": subscription.trial_end,
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "scheduled_plan": scheduled.code if scheduled else None,
        "scheduled_billing_cycle": subscription.scheduled_billing_cycle or None,
        "ended_at": subscription.ended_at,
    }


def invoice_webhook_object(invoice: Invoice) -> dict:
    return {
        "id": str(invoice.pk),
        "object": "invoice",
        "number": invoice.number,
        "status": invoice.status,
        "reason": invoice.reason,
        "subscription": str(invoice.subscription_id) if invoice.subscription_id else None,
        "total": invoice.total,
        "currency": invoice.currency,
        "period_start": invoice.period_start,
        "period_end": invoice.period_end,
        "paid_at": invoice.paid_at,
        "last_payment_error": invoice.last_payment_error,
    }


def invoice_event_record(*, invoice: Invoice) -> None:
    """``invoice.paid`` or ``invoice.payment_failed`` after a charge, once the invoice is
    numbered, in the charge's transaction (README "Webhooks for integrators")."""
    if invoice.status == InvoiceStatus.PAID:
        event_type = "invoice.paid"
    elif invoice.last_payment_error:
        event_type = "invoice.payment_failed"
    else:
        return
    webhook_event_record(
        owner_id=invoice.user_id,
        event_type=event_type,
        object_id=invoice.pk,
        data_object=invoice_webhook_object(invoice),
    )


def subscription_audit(
    *,
    action: str,
    subscription: Subscription,
    actor=None,
    meta: RequestMeta | None = None,
    webhook: bool = True,
    **metadata: Any,
) -> None:
    """Every subscription transition leaves one audit row naming the subscription's user, and
    a ``subscription.changed`` webhook event for the subscriber (``webhook=False`` for a step
    that another transition of the same transaction completes)."""
    audit_record(
        action=action,
        actor=actor,
        target=subscription,
        meta=meta,
        metadata={"user_id": str(subscription.user_id), **metadata},
    )
    if webhook:
        webhook_event_record(
            owner_id=subscription.user_id,
            event_type="subscription.changed",
            object_id=subscription.pk,
            data_object=subscription_webhook_object(subscription, change=action),
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

"""Every read of the billing domain that an API, a task or another app needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from apps.billing.models import (
    ACCESS_STATUSES,
    FREE_PLAN_CODE,
    LIVE_STATUSES,
    Invoice,
    InvoiceLine,
    Plan,
    Subscription,
)


def plan_list() -> QuerySet[Plan]:
    """The plans on sale (Free included), cheapest first."""
    return Plan.objects.filter(is_active=True).order_by("display_order", "monthly_price", "code")


def plan_free() -> Plan:
    """The Free plan's row; should staff ever have removed it, an unsaved stand-in (Free costs
    nothing), so "the caller's subscription" never fails."""
    return Plan.objects.filter(code=FREE_PLAN_CODE).first() or Plan(
        code=FREE_PLAN_CODE,
        name="Free",
        monthly_price=Decimal("0.00"),
        yearly_price=Decimal("0.00"),
        currency="USD",
    )


def subscription_live_for_user(*, user) -> Subscription | None:
    """The user's current subscription (``trialing``, ``active`` or ``past_due``), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Subscription.objects.select_related("plan", "scheduled_plan")
        .filter(user=user, status__in=LIVE_STATUSES)
        .first()
    )


def user_has_paid_plan(user) -> bool:
    """Does ``user`` have an ``active`` or ``trialing`` Creator/Premium (any paid) plan?

    For other apps (distribution is only for Creator and Premium). ``past_due`` does not count:
    the current period is unpaid.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        Subscription.objects.filter(user=user, status__in=ACCESS_STATUSES)
        .exclude(plan__code=FREE_PLAN_CODE)
        .exists()
    )


@dataclass(frozen=True)
class ScheduledChange:
    plan: Plan | None
    billing_cycle: str | None
    effective_at: datetime


@dataclass(frozen=True)
class SubscriptionSummary:
    """What ``GET /billing/subscription`` shows: the live subscription, or Free."""

    id: object
    plan: Plan
    billing_cycle: str | None
    status: str | None
    has_paid_plan: bool
    current_period_start: datetime | None
    current_period_end: datetime | None
    trial_end: datetime | None
    cancel_at_period_end: bool
    canceled_at: datetime | None
    scheduled_change: ScheduledChange | None
    next_payment_retry_at: datetime | None
    created_at: datetime | None


def subscription_summary(*, subscription: Subscription | None) -> SubscriptionSummary:
    if subscription is None or not subscription.is_live:
        return SubscriptionSummary(
            id=None,
            plan=plan_free(),
            billing_cycle=None,
            status=None,
            has_paid_plan=False,
            current_period_start=None,
            current_period_end=None,
            trial_end=None,
            cancel_at_period_end=False,
            canceled_at=None,
            scheduled_change=None,
            next_payment_retry_at=None,
            created_at=None,
        )
    scheduled = None
    if subscription.scheduled_plan_id or subscription.scheduled_billing_cycle:
        scheduled = ScheduledChange(
            plan=subscription.scheduled_plan,
            billing_cycle=subscription.scheduled_billing_cycle or None,
            effective_at=subscription.current_period_end,
        )
    return SubscriptionSummary(
        id=subscription.pk,
        plan=subscription.plan,
        billing_cycle=subscription.billing_cycle,
        status=subscription.status,
        has_paid_plan=subscription.status in ACCESS_STATUSES and not subscription.plan.is_free,
        current_period_start=subscription.current_period_start,
        current_period_end=subscription.current_period_end,
        trial_end=subscription.trial_end,
        cancel_at_period_end=subscription.cancel_at_period_end,
        canceled_at=subscription.canceled_at,
        scheduled_change=scheduled,
        next_payment_retry_at=subscription.next_payment_retry_at,
        created_at=subscription.created_at,
    )


def invoice_list_for_user(*, user) -> QuerySet[Invoice]:
    """The user's numbered invoices, newest first, lines and their plans prefetched."""
    return (
        Invoice.objects.filter(user=user, number__isnull=False)
        .order_by("-issued_at", "-number")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=InvoiceLine.objects.select_related("plan").order_by("position"),
            )
        )
    )

"""Subscription lifecycle as asked for by the user or by staff.

Contract: shared/API.md "Billing"; changelog: "Add subscription module" (14-day Premium trial,
upgrade immediate, downgrade at period end, invoice history). Renewals, trial ends, expiries and
payment retries are the scheduled job's (:mod:`apps.billing.services.renewals`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.billing.exceptions import (
    AlreadySubscribed,
    PaymentFailed,
    SubscriptionStateConflict,
)
from apps.billing.gateways import ChargeResult, PaymentGateway, get_gateway
from apps.billing.models import (
    LIVE_STATUSES,
    BillingCycle,
    InvoiceReason,
    InvoiceStatus,
    Subscription,
    SubscriptionStatus,
)
from apps.billing.services.common import (
    invoice_event_record,
    plan_by_code,
    subscription_audit,
    subscription_lock,
)
from apps.billing.services.invoices import (
    LineSpec,
    invoice_charge,
    invoice_create,
    invoice_number_assign,
    invoice_void,
)
from apps.billing.services.periods import cycle_months, months_after, proration_compute
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record

LIVE_CONSTRAINT = "billing_one_live_subscription_per_user"


class _ChargeDeclined(Exception):
    """Raised inside a transaction to roll it back when the gateway declines."""

    def __init__(self, result: ChargeResult, amount, currency: str) -> None:
        super().__init__(result.failure_reason)
        self.result = result
        self.amount = amount
        self.currency = currency


def _cycle_checked(billing_cycle: str) -> str:
    if billing_cycle not in BillingCycle.values:
        raise ValidationFailed(
            details={"billing_cycle": [f'"{billing_cycle}" is not a valid choice.']}
        )
    return billing_cycle


def _declined(
    exc: _ChargeDeclined, *, user, actor, meta: RequestMeta | None, action: str
) -> PaymentFailed:
    """Audit a declined in-request charge (after the rollback) and build the 402."""
    audit_record(
        action="billing.payment_declined",
        actor=actor,
        target=user,
        meta=meta,
        metadata={
            "during": action,
            "amount": str(exc.amount),
            "currency": exc.currency,
            "reason": exc.result.failure_reason,
        },
    )
    return PaymentFailed(details={"reason": exc.result.failure_reason})


def subscription_create(
    *,
    user,
    plan_code: str,
    billing_cycle: str,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
    gateway: PaymentGateway | None = None,
) -> Subscription:
    """Subscribe ``user`` to a paid plan.

    A plan with trial days (Premium: 14) starts ``trialing`` without any charge, once per account
    ever; otherwise the first period is invoiced and charged now, and a declined charge leaves
    nothing behind (402 PAYMENT_FAILED). At most one live subscription per user is the
    database's job (partial unique constraint): of two parallel requests, one gets 409.
    """
    now = now or timezone.now()
    plan = plan_by_code(code=plan_code, allow_free=False)
    billing_cycle = _cycle_checked(billing_cycle)
    gateway = gateway or get_gateway()
    try:
        with transaction.atomic():
            if Subscription.objects.filter(user=user, status__in=LIVE_STATUSES).exists():
                raise AlreadySubscribed()
            had_trial = Subscription.objects.filter(user=user, trial_end__isnull=False).exists()
            if plan.trial_days and not had_trial:
                trial_end = now + timedelta(days=plan.trial_days)
                subscription = Subscription.objects.create(
                    user=user,
                    plan=plan,
                    billing_cycle=billing_cycle,
                    status=SubscriptionStatus.TRIALING,
                    billing_anchor=trial_end,
                    anchor_months=0,
                    current_period_start=now,
                    current_period_end=trial_end,
                    trial_end=trial_end,
                    created_at=now,
                )
                invoice = None
            else:
                period_end = months_after(now, cycle_months(billing_cycle))
                subscription = Subscription.objects.create(
                    user=user,
                    plan=plan,
                    billing_cycle=billing_cycle,
                    status=SubscriptionStatus.ACTIVE,
                    billing_anchor=now,
                    anchor_months=0,
                    current_period_start=now,
                    current_period_end=period_end,
                    created_at=now,
                )
                price = plan.price_for(billing_cycle)
                invoice = invoice_create(
                    subscription=subscription,
                    reason=InvoiceReason.SUBSCRIPTION_CREATE,
                    lines=[
                        LineSpec(
                            description=f"{plan.name} ({billing_cycle})",
                            amount=price,
                            period_start=now,
                            period_end=period_end,
                            plan=plan,
                            billing_cycle=billing_cycle,
                        )
                    ],
                    period_start=now,
                    period_end=period_end,
                    now=now,
                )
                result = invoice_charge(invoice=invoice, gateway=gateway, attempt=1, now=now)
                if not result.succeeded:
                    raise _ChargeDeclined(result, price, plan.currency)
                invoice_number_assign(invoice=invoice)
                invoice_event_record(invoice=invoice)
            subscription_audit(
                action="subscription.create",
                subscription=subscription,
                actor=user,
                meta=meta,
                plan=plan.code,
                billing_cycle=billing_cycle,
                status=subscription.status,
                trial_end=subscription.trial_end.isoformat() if subscription.trial_end else None,
                invoice=invoice.number if invoice else None,
            )
    except IntegrityError as exc:
        if LIVE_CONSTRAINT in str(exc):
            raise AlreadySubscribed() from exc
        raise
    except _ChargeDeclined as exc:
        raise _declined(exc, user=user, actor=user, meta=meta, action="subscribe") from None
    return subscription


def _locked_or_conflict(subscription: Subscription) -> Subscription:
    locked = subscription_lock(subscription_id=subscription.pk)
    if locked is None:
        raise SubscriptionStateConflict("This subscription has already ended.")
    return locked


@transaction.atomic
def subscription_cancel(
    *,
    subscription: Subscription,
    actor=None,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
    reason: str = "",
) -> Subscription:
    """Cancel at the period end: access stays until then, ``reactivate`` undoes it.

    A ``past_due`` subscription has not paid its current period, so it ends now (``canceled``)
    and its open invoice is voided. Cancelling twice is a no-op. Staff give a ``reason``
    (kept in the audit row).
    """
    now = now or timezone.now()
    subscription = _locked_or_conflict(subscription)
    if subscription.status == SubscriptionStatus.PAST_DUE:
        for invoice in subscription.invoices.filter(status=InvoiceStatus.OPEN):
            invoice_void(invoice=invoice, now=now)
        subscription.status = SubscriptionStatus.CANCELED
        subscription.canceled_at = now
        subscription.ended_at = now
        subscription.next_payment_retry_at = None
        subscription.save(
            update_fields=[
                "status",
                "canceled_at",
                "ended_at",
                "next_payment_retry_at",
                "updated_at",
            ]
        )
        subscription_audit(
            action="subscription.cancel",
            subscription=subscription,
            actor=actor,
            meta=meta,
            immediate=True,
            **({"reason": reason} if reason else {}),
            status=subscription.status,
        )
        return subscription
    if subscription.cancel_at_period_end:
        return subscription
    subscription.cancel_at_period_end = True
    subscription.canceled_at = now
    subscription.save(update_fields=["cancel_at_period_end", "canceled_at", "updated_at"])
    subscription_audit(
        action="subscription.cancel",
        subscription=subscription,
        actor=actor,
        meta=meta,
        immediate=False,
        **({"reason": reason} if reason else {}),
        effective_at=subscription.current_period_end.isoformat(),
    )
    return subscription


@transaction.atomic
def subscription_reactivate(
    *,
    subscription: Subscription,
    actor=None,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
) -> Subscription:
    """Undo a pending cancel before the period ends (409 when there is none to undo)."""
    now = now or timezone.now()
    subscription = _locked_or_conflict(subscription)
    if not subscription.cancel_at_period_end:
        raise SubscriptionStateConflict("This subscription has no pending cancellation.")
    if now >= subscription.current_period_end:
        raise SubscriptionStateConflict("This subscription's period has already ended.")
    subscription.cancel_at_period_end = False
    subscription.canceled_at = None
    subscription.save(update_fields=["cancel_at_period_end", "canceled_at", "updated_at"])
    subscription_audit(
        action="subscription.reactivate", subscription=subscription, actor=actor, meta=meta
    )
    return subscription


def subscription_change_plan(
    *,
    subscription: Subscription,
    plan_code: str,
    actor=None,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
    gateway: PaymentGateway | None = None,
) -> Subscription:
    """Change plan: a higher price (in the current cycle) is an upgrade, applied now with a
    prorated invoice; a lower or equal price (Premium -> Creator, anything -> Free) is scheduled
    for the period end. Asking for the current plan drops a scheduled plan change."""
    now = now or timezone.now()
    plan = plan_by_code(code=plan_code, allow_free=True)
    gateway = gateway or get_gateway()
    try:
        with transaction.atomic():
            return _change_plan_locked(
                subscription=subscription,
                plan=plan,
                actor=actor,
                meta=meta,
                now=now,
                gateway=gateway,
            )
    except _ChargeDeclined as exc:
        raise _declined(
            exc, user=subscription.user, actor=actor, meta=meta, action="upgrade"
        ) from None


def _change_plan_locked(*, subscription, plan, actor, meta, now, gateway) -> Subscription:
    subscription = _locked_or_conflict(subscription)
    current = subscription.plan
    if plan.pk == current.pk:
        if subscription.scheduled_plan_id is not None:
            dropped = subscription.scheduled_plan
            subscription.scheduled_plan = None
            subscription.save(update_fields=["scheduled_plan", "updated_at"])
            subscription_audit(
                action="subscription.scheduled_plan_drop",
                subscription=subscription,
                actor=actor,
                meta=meta,
                dropped_plan=dropped.code,
            )
        return subscription

    if plan.currency != current.currency and not plan.is_free:
        raise SubscriptionStateConflict("These plans are billed in different currencies.")
    cycle = subscription.billing_cycle
    is_upgrade = not plan.is_free and plan.price_for(cycle) > current.price_for(cycle)
    if not is_upgrade:
        subscription.scheduled_plan = plan
        subscription.save(update_fields=["scheduled_plan", "updated_at"])
        subscription_audit(
            action="subscription.downgrade_schedule",
            subscription=subscription,
            actor=actor,
            meta=meta,
            from_plan=current.code,
            to_plan=plan.code,
            effective_at=subscription.current_period_end.isoformat(),
        )
        return subscription

    if subscription.status == SubscriptionStatus.PAST_DUE:
        raise SubscriptionStateConflict("Settle the unpaid invoice before upgrading.")
    if subscription.cancel_at_period_end:
        raise SubscriptionStateConflict("Reactivate the subscription before upgrading.")

    invoice = None
    if subscription.status == SubscriptionStatus.ACTIVE:
        proration = proration_compute(
            old_price=current.price_for(cycle),
            new_price=plan.price_for(cycle),
            period_start=subscription.current_period_start,
            period_end=subscription.current_period_end,
            now=now,
        )
        end = subscription.current_period_end
        invoice = invoice_create(
            subscription=subscription,
            reason=InvoiceReason.SUBSCRIPTION_UPDATE,
            lines=[
                LineSpec(
                    description=f"Unused time on {current.name} ({cycle})",
                    amount=-proration.credit,
                    period_start=now,
                    period_end=end,
                    plan=current,
                    billing_cycle=cycle,
                ),
                LineSpec(
                    description=f"Remaining time on {plan.name} ({cycle})",
                    amount=proration.charge,
                    period_start=now,
                    period_end=end,
                    plan=plan,
                    billing_cycle=cycle,
                ),
            ],
            period_start=now,
            period_end=end,
            now=now,
        )
        result = invoice_charge(invoice=invoice, gateway=gateway, attempt=1, now=now)
        if not result.succeeded:
            raise _ChargeDeclined(result, invoice.total, invoice.currency)
        invoice_number_assign(invoice=invoice)
        invoice_event_record(invoice=invoice)
    # A trial upgrades for free: the trial continues on the new plan, billed at its end.
    subscription.plan = plan
    subscription.scheduled_plan = None
    subscription.save(update_fields=["plan", "scheduled_plan", "updated_at"])
    subscription_audit(
        action="subscription.upgrade",
        subscription=subscription,
        actor=actor,
        meta=meta,
        from_plan=current.code,
        to_plan=plan.code,
        invoice=invoice.number if invoice else None,
        amount=str(invoice.total) if invoice else "0.00",
    )
    return subscription


@transaction.atomic
def subscription_change_cycle(
    *,
    subscription: Subscription,
    billing_cycle: str,
    actor=None,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
) -> Subscription:
    """Cycle changes apply at the next renewal; asking for the current cycle drops a scheduled
    cycle change."""
    billing_cycle = _cycle_checked(billing_cycle)
    subscription = _locked_or_conflict(subscription)
    if billing_cycle == subscription.billing_cycle:
        if subscription.scheduled_billing_cycle:
            dropped = subscription.scheduled_billing_cycle
            subscription.scheduled_billing_cycle = ""
            subscription.save(update_fields=["scheduled_billing_cycle", "updated_at"])
            subscription_audit(
                action="subscription.scheduled_cycle_drop",
                subscription=subscription,
                actor=actor,
                meta=meta,
                dropped_billing_cycle=dropped,
            )
        return subscription
    subscription.scheduled_billing_cycle = billing_cycle
    subscription.save(update_fields=["scheduled_billing_cycle", "updated_at"])
    subscription_audit(
        action="subscription.cycle_change_schedule",
        subscription=subscription,
        actor=actor,
        meta=meta,
        from_billing_cycle=subscription.billing_cycle,
        to_billing_cycle=billing_cycle,
        effective_at=subscription.current_period_end.isoformat(),
    )
    return subscription


@transaction.atomic
def subscription_extend_period(
    *,
    subscription: Subscription,
    days: int,
    actor=None,
    meta: RequestMeta | None = None,
) -> Subscription:
    """Staff goodwill: push the current period (and a running trial) back by ``days``, free of
    charge. The anchor moves too, so later periods keep their length."""
    if not 1 <= days <= 366:
        raise ValidationFailed(details={"days": ["Must be between 1 and 366."]})
    subscription = _locked_or_conflict(subscription)
    if subscription.status == SubscriptionStatus.PAST_DUE:
        raise SubscriptionStateConflict("A past-due subscription cannot be extended.")
    delta = timedelta(days=days)
    previous_end = subscription.current_period_end
    subscription.current_period_end += delta
    subscription.billing_anchor += delta
    if subscription.status == SubscriptionStatus.TRIALING:
        subscription.trial_end += delta
    subscription.save(
        update_fields=["current_period_end", "billing_anchor", "trial_end", "updated_at"]
    )
    subscription_audit(
        action="subscription.extend",
        subscription=subscription,
        actor=actor,
        meta=meta,
        days=days,
        from_period_end=previous_end.isoformat(),
        to_period_end=subscription.current_period_end.isoformat(),
    )
    return subscription


@transaction.atomic
def subscription_scheduled_change_apply_now(
    *,
    subscription: Subscription,
    actor=None,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
) -> Subscription:
    """Staff: apply the scheduled plan and/or cycle now instead of at the period end, without
    proration. A scheduled move to Free ends the subscription now (``expired``)."""
    now = now or timezone.now()
    subscription = _locked_or_conflict(subscription)
    if subscription.scheduled_plan_id is None and not subscription.scheduled_billing_cycle:
        raise SubscriptionStateConflict("This subscription has no scheduled change.")
    from_plan, from_cycle = subscription.plan.code, subscription.billing_cycle
    scheduled = subscription.scheduled_plan
    if scheduled is not None and scheduled.is_free:
        subscription.status = SubscriptionStatus.EXPIRED
        subscription.ended_at = now
        subscription.scheduled_plan = None
        subscription.scheduled_billing_cycle = ""
        subscription.save(
            update_fields=[
                "status",
                "ended_at",
                "scheduled_plan",
                "scheduled_billing_cycle",
                "updated_at",
            ]
        )
        subscription_audit(
            action="subscription.expire",
            subscription=subscription,
            actor=actor,
            meta=meta,
            reason="downgraded_to_free",
            applied_early=True,
        )
        return subscription
    if scheduled is not None:
        subscription.plan = scheduled
    if subscription.scheduled_billing_cycle:
        subscription.billing_cycle = subscription.scheduled_billing_cycle
    subscription.scheduled_plan = None
    subscription.scheduled_billing_cycle = ""
    subscription.save(
        update_fields=[
            "plan",
            "billing_cycle",
            "scheduled_plan",
            "scheduled_billing_cycle",
            "updated_at",
        ]
    )
    subscription_audit(
        action="subscription.scheduled_change_apply",
        subscription=subscription,
        actor=actor,
        meta=meta,
        from_plan=from_plan,
        to_plan=subscription.plan.code,
        from_billing_cycle=from_cycle,
        to_billing_cycle=subscription.billing_cycle,
        applied_early=True,
    )
    return subscription

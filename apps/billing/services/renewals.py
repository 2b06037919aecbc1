"""The scheduled job's work: renewals, scheduled changes, trial ends, expiries, retries.

Run by the ``billing.process_due_subscriptions`` Celery task (a django-celery-beat periodic task
seeded by migration, editable in the admin). Safe to run twice and on two workers at once:
each subscription is handled under its row lock taken with ``SKIP LOCKED`` and its due
condition re-checked under the lock, and a period can be invoiced only once (unique
subscription + period start). The gateway is called inside that transaction, with an
idempotency key derived from the period, so a retried transaction asks for the same charge.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from apps.billing.gateways import PaymentGateway, get_gateway
from apps.billing.models import (
    ACCESS_STATUSES,
    InvoiceReason,
    InvoiceStatus,
    Subscription,
    SubscriptionStatus,
)
from apps.billing.services.common import invoice_event_record, subscription_audit
from apps.billing.services.invoices import (
    LineSpec,
    invoice_charge,
    invoice_create,
    invoice_number_assign,
    invoice_void,
)
from apps.billing.services.periods import cycle_months, months_after
from veza.emails import email_send_on_commit

logger = logging.getLogger(__name__)

#: After a failed renewal charge, retries happen this long after the first failure. When the
#: last retry fails too, the subscription expires and its invoice is voided.
PAYMENT_RETRY_SCHEDULE = (timedelta(days=1), timedelta(days=3), timedelta(days=7))


def _lock_due(queryset, subscription_id) -> Subscription | None:
    """Lock the subscription if it is still due and no other worker holds it (``SKIP LOCKED``).
    No join in the locking query (see :func:`subscription_lock`)."""
    locked = next(
        iter(queryset.select_for_update(skip_locked=True).filter(pk=subscription_id)), None
    )
    if locked is not None:
        prefetch_related_objects([locked], "plan", "scheduled_plan", "user")
    return locked


def _payment_failed_email(
    subscription: Subscription, invoice, *, next_retry_at: datetime | None
) -> None:
    """Tell the user, after the transaction commits, that a charge failed (and what next)."""
    email_send_on_commit(
        template="billing_payment_failed",
        to=subscription.user.email,
        context={
            "username": subscription.user.username,
            "plan": subscription.plan.name,
            "amount": str(invoice.total),
            "currency": invoice.currency,
            "invoice": invoice.number,
            # Context travels as JSON to the email task: a preformatted date, not a datetime.
            "next_retry_date": (
                f"{next_retry_at:%B} {next_retry_at.day}, {next_retry_at.year}"
                if next_retry_at
                else ""
            ),
            "final": next_retry_at is None,
        },
    )


def _expire(subscription: Subscription, *, at: datetime, reason: str, **metadata) -> str:
    subscription.status = SubscriptionStatus.EXPIRED
    subscription.ended_at = at
    subscription.next_payment_retry_at = None
    subscription.save(update_fields=["status", "ended_at", "next_payment_retry_at", "updated_at"])
    subscription_audit(
        action="subscription.expire", subscription=subscription, reason=reason, **metadata
    )
    return "expired"


@transaction.atomic
def subscription_period_end_process(
    *, subscription_id, now: datetime, gateway: PaymentGateway
) -> str:
    """End the current period of a due ``trialing``/``active`` subscription.

    Pending cancel or a scheduled move to Free: the subscription expires (the user is on Free).
    Otherwise scheduled plan/cycle changes take effect, and the next period is invoiced and
    charged: paid -> ``active``; declined -> ``past_due`` with retries.
    """
    subscription = _lock_due(
        Subscription.objects.filter(status__in=ACCESS_STATUSES, current_period_end__lte=now),
        subscription_id,
    )
    if subscription is None:
        return "skipped"  # another worker holds it, or it is no longer due
    ended_at = subscription.current_period_end
    was_trial = subscription.status == SubscriptionStatus.TRIALING
    if subscription.cancel_at_period_end:
        return _expire(subscription, at=ended_at, reason="canceled", was_trial=was_trial)
    scheduled = subscription.scheduled_plan
    if scheduled is not None and scheduled.is_free:
        return _expire(subscription, at=ended_at, reason="downgraded_to_free")

    from_plan, from_cycle = subscription.plan, subscription.billing_cycle
    # Keep the anchor while periods follow it; otherwise (trial, extension, early cycle
    # change) the ended period's end becomes the new anchor.
    following = subscription.anchor_months + cycle_months(from_cycle)
    if not was_trial and months_after(subscription.billing_anchor, following) == ended_at:
        subscription.anchor_months = following
    else:
        subscription.billing_anchor = ended_at
        subscription.anchor_months = 0
    if scheduled is not None:
        subscription.plan = scheduled
    if subscription.scheduled_billing_cycle:
        subscription.billing_cycle = subscription.scheduled_billing_cycle
    subscription.scheduled_plan = None
    subscription.scheduled_billing_cycle = ""
    if (subscription.plan, subscription.billing_cycle) != (from_plan, from_cycle):
        subscription_audit(
            action="subscription.scheduled_change_apply",
            subscription=subscription,
            webhook=False,  # the renewal below reports the subscription as it ends up
            from_plan=from_plan.code,
            to_plan=subscription.plan.code,
            from_billing_cycle=from_cycle,
            to_billing_cycle=subscription.billing_cycle,
        )

    plan, cycle = subscription.plan, subscription.billing_cycle
    start = ended_at
    end = months_after(
        subscription.billing_anchor, subscription.anchor_months + cycle_months(cycle)
    )
    subscription.current_period_start, subscription.current_period_end = start, end
    invoice = invoice_create(
        subscription=subscription,
        reason=InvoiceReason.SUBSCRIPTION_CYCLE,
        lines=[
            LineSpec(
                description=f"{plan.name} ({cycle})",
                amount=plan.price_for(cycle),
                period_start=start,
                period_end=end,
                plan=plan,
                billing_cycle=cycle,
            )
        ],
        period_start=start,
        period_end=end,
        now=now,
    )
    result = invoice_charge(invoice=invoice, gateway=gateway, attempt=1, now=now)
    invoice_number_assign(invoice=invoice)
    invoice_event_record(invoice=invoice)
    if result.succeeded:
        subscription.status = SubscriptionStatus.ACTIVE
        outcome = "renewed"
        action = "subscription.trial_end" if was_trial else "subscription.renew"
    else:
        subscription.status = SubscriptionStatus.PAST_DUE
        subscription.past_due_since = now
        subscription.payment_attempts = 1
        subscription.next_payment_retry_at = now + PAYMENT_RETRY_SCHEDULE[0]
        outcome = "past_due"
        action = "subscription.payment_failed"
        _payment_failed_email(
            subscription, invoice, next_retry_at=subscription.next_payment_retry_at
        )
    subscription.save()
    subscription_audit(
        action=action,
        subscription=subscription,
        invoice=invoice.number,
        amount=str(invoice.total),
        currency=invoice.currency,
        status=subscription.status,
        period_end=end.isoformat(),
        **({"was_trial": was_trial} if was_trial or not result.succeeded else {}),
        **({} if result.succeeded else {"reason": result.failure_reason}),
    )
    return outcome


@transaction.atomic
def subscription_payment_retry(*, subscription_id, now: datetime, gateway: PaymentGateway) -> str:
    """Charge a ``past_due`` subscription's open invoice again, per the retry schedule."""
    subscription = _lock_due(
        Subscription.objects.filter(
            status=SubscriptionStatus.PAST_DUE, next_payment_retry_at__lte=now
        ),
        subscription_id,
    )
    if subscription is None:
        return "skipped"
    invoice = (
        subscription.invoices.select_for_update()
        .filter(status=InvoiceStatus.OPEN)
        .order_by("-issued_at")
        .first()
    )
    if invoice is None:  # settled elsewhere (e.g. staff): nothing is owed any more
        subscription.status = SubscriptionStatus.ACTIVE
    else:
        attempt = subscription.payment_attempts + 1
        result = invoice_charge(invoice=invoice, gateway=gateway, attempt=attempt, now=now)
        invoice_event_record(invoice=invoice)
        if not result.succeeded:
            subscription.payment_attempts = attempt
            if attempt > len(PAYMENT_RETRY_SCHEDULE):
                invoice_void(invoice=invoice, now=now)
                subscription.save(update_fields=["payment_attempts"])
                _payment_failed_email(subscription, invoice, next_retry_at=None)
                return _expire(
                    subscription,
                    at=now,
                    reason="payment_failed",
                    invoice=invoice.number,
                    attempts=attempt,
                )
            due = subscription.past_due_since + PAYMENT_RETRY_SCHEDULE[attempt - 1]
            subscription.next_payment_retry_at = due
            _payment_failed_email(subscription, invoice, next_retry_at=due)
            subscription.save(
                update_fields=["payment_attempts", "next_payment_retry_at", "updated_at"]
            )
            subscription_audit(
                action="subscription.payment_failed",
                subscription=subscription,
                invoice=invoice.number,
                attempts=attempt,
                next_retry_at=due.isoformat(),
                reason=result.failure_reason,
            )
            return "retry_failed"
        subscription.status = SubscriptionStatus.ACTIVE
    subscription.past_due_since = None
    subscription.payment_attempts = 0
    subscription.next_payment_retry_at = None
    subscription.save(
        update_fields=[
            "status",
            "past_due_since",
            "payment_attempts",
            "next_payment_retry_at",
            "updated_at",
        ]
    )
    subscription_audit(
        action="subscription.payment_recovered",
        subscription=subscription,
        invoice=invoice.number if invoice else None,
    )
    return "recovered"


def subscriptions_process_due(
    *,
    now: datetime | None = None,
    gateway: PaymentGateway | None = None,
    limit: int = 1000,
) -> dict[str, int]:
    """One run of the scheduled job: every due period end, then every due payment retry.

    Each subscription is its own transaction, so one failure cannot undo the others' work and
    locks are short. At most ``limit`` of each kind per run; the next run takes the rest.
    """
    now = now or timezone.now()
    gateway = gateway or get_gateway()
    outcomes: Counter[str] = Counter()
    due_periods = (
        Subscription.objects.filter(status__in=ACCESS_STATUSES, current_period_end__lte=now)
        .order_by("current_period_end")
        .values_list("pk", flat=True)[:limit]
    )
    for subscription_id in list(due_periods):
        try:
            outcomes[
                subscription_period_end_process(
                    subscription_id=subscription_id, now=now, gateway=gateway
                )
            ] += 1
        except Exception:
            logger.exception("Billing: could not process subscription %s", subscription_id)
            outcomes["error"] += 1
    due_retries = (
        Subscription.objects.filter(
            status=SubscriptionStatus.PAST_DUE, next_payment_retry_at__lte=now
        )
        .order_by("next_payment_retry_at")
        .values_list("pk", flat=True)[:limit]
    )
    for subscription_id in list(due_retries):
        try:
            outcomes[
                subscription_payment_retry(
                    subscription_id=subscription_id, now=now, gateway=gateway
                )
            ] += 1
        except Exception:
            logger.exception("Billing: could not retry subscription %s", subscription_id)
            outcomes["error"] += 1
    return dict(outcomes)

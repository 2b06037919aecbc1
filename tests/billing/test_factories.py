"""The billing factories build rows the services would accept as their own."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.billing import selectors, services
from apps.billing.models import Plan, SubscriptionStatus
from tests.billing.factories import T0, PlanFactory, SubscriptionFactory, at


@pytest.mark.django_db
def test_a_seeded_plan_code_returns_the_seeded_row_and_a_new_code_creates_a_plan():
    seeded = Plan.objects.get(code="creator")

    assert PlanFactory(code="creator", monthly_price=Decimal("1.00")) == seeded
    assert Plan.objects.get(code="creator").monthly_price == Decimal("9.99")
    extra = PlanFactory(monthly_price=Decimal("4.00"))
    assert (extra.yearly_price, extra.currency) == (Decimal("40.00"), "USD")
    assert Plan.objects.count() == 4


@pytest.mark.django_db
def test_the_default_subscription_is_an_active_monthly_creator_period_from_t0():
    subscription = SubscriptionFactory()

    assert (subscription.plan.code, subscription.billing_cycle, subscription.status) == (
        "creator",
        "monthly",
        "active",
    )
    assert (subscription.current_period_start, subscription.current_period_end) == (
        T0,
        at(2026, 4, 1, 12),
    )
    assert subscription.user.is_verified is True
    assert selectors.user_has_paid_plan(subscription.user) is True


@pytest.mark.django_db
def test_each_trait_builds_its_state():
    trialing = SubscriptionFactory(trialing=True)
    past_due = SubscriptionFactory(past_due=True, billing_cycle="yearly")
    canceled = SubscriptionFactory(canceled=True)
    pending = SubscriptionFactory(cancel_pending=True)

    assert (trialing.plan.code, trialing.status) == ("premium", SubscriptionStatus.TRIALING)
    assert trialing.trial_end == trialing.current_period_end == T0 + timedelta(days=14)
    assert past_due.status == SubscriptionStatus.PAST_DUE
    assert past_due.current_period_end == at(2027, 3, 1, 12)
    assert past_due.next_payment_retry_at == T0 + timedelta(days=1)
    assert (canceled.status, canceled.ended_at) == (
        SubscriptionStatus.CANCELED,
        canceled.canceled_at,
    )
    assert pending.cancel_at_period_end is True
    # The services take a factory-built row as one of theirs: reactivating undoes the cancel.
    services.subscription_reactivate(subscription=pending, now=T0 + timedelta(days=2))
    pending.refresh_from_db()
    assert pending.cancel_at_period_end is False

"""``user_has_paid_plan``: the question other apps (distribution) ask."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.billing import selectors, services
from apps.billing.models import SubscriptionStatus
from tests.accounts.factories import UserFactory
from tests.billing.factories import T0, SubscriptionFactory, at, decline, subscribe


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("plan", "status", "expected"),
    [
        ("creator", SubscriptionStatus.ACTIVE, True),
        ("premium", SubscriptionStatus.ACTIVE, True),
        ("premium", SubscriptionStatus.TRIALING, True),
        ("creator", SubscriptionStatus.PAST_DUE, False),
        ("creator", SubscriptionStatus.CANCELED, False),
        ("premium", SubscriptionStatus.EXPIRED, False),
    ],
)
def test_only_active_or_trialing_paid_plans_count(plan, status, expected):
    subscription = SubscriptionFactory(plan__code=plan, status=status)

    assert selectors.user_has_paid_plan(subscription.user) is expected


@pytest.mark.django_db
def test_users_without_subscription_and_anonymous_users_have_no_paid_plan():
    assert selectors.user_has_paid_plan(UserFactory()) is False
    assert selectors.user_has_paid_plan(AnonymousUser()) is False
    assert selectors.user_has_paid_plan(None) is False


@pytest.mark.django_db
def test_paid_plan_follows_the_lifecycle():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "premium")
    assert selectors.user_has_paid_plan(user) is True  # trialing

    decline(user)
    services.subscriptions_process_due(now=T0 + timedelta(days=14))
    assert selectors.user_has_paid_plan(user) is False  # past_due after the trial

    for _ in range(3):  # one attempt per run: +1, +3 and +7 days after the first failure
        services.subscriptions_process_due(now=at(2026, 3, 22, 12))
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert selectors.user_has_paid_plan(user) is False


@pytest.mark.django_db
def test_paid_plan_check_is_one_query(django_assert_num_queries):
    user = UserFactory(verified=True)
    subscribe(user, "creator")

    with django_assert_num_queries(1):
        assert selectors.user_has_paid_plan(user) is True

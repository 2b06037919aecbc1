"""Upgrades now with proration, downgrades and cycle changes at the period end.

Contract: shared/API.md "Billing" (change-plan, change-cycle); the proration formula is the
README's "Billing" section.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from apps.accounts.models import AuditLog
from apps.billing import services
from apps.billing.models import Invoice, InvoiceLine, Subscription
from apps.billing.services import proration_compute
from tests.accounts.factories import UserFactory
from tests.billing.factories import T0, PlanFactory, at, decline, subscribe
from tests.conftest import bearer_client
from tests.helpers import assert_error

CHANGE_PLAN = "/api/v1/billing/subscription/change-plan"
CHANGE_CYCLE = "/api/v1/billing/subscription/change-cycle"


def _lines(invoice):
    return list(
        InvoiceLine.objects.filter(invoice=invoice)
        .order_by("position")
        .values_list("description", "amount")
    )


# --- the formula -------------------------------------------------------------------------


def test_proration_rounds_half_up_to_the_cent():
    proration = proration_compute(
        old_price=Decimal("0.00"),
        new_price=Decimal("0.01"),
        period_start=T0,
        period_end=T0 + timedelta(seconds=100),
        now=T0 + timedelta(seconds=50),
    )

    assert proration.charge == Decimal("0.01")  # 0.005 rounds up, not to even
    assert proration.credit == Decimal("0.00")


def test_proration_counts_whole_seconds_remaining():
    proration = proration_compute(
        old_price=Decimal("9.99"),
        new_price=Decimal("19.99"),
        period_start=T0,
        period_end=at(2026, 4, 1, 12),
        now=at(2026, 3, 1, 12, 0, 0, 999_999),
    )

    assert proration.period_seconds == 2_678_400
    assert proration.remaining_seconds == 2_678_399
    assert proration.credit == Decimal("9.99")
    assert proration.charge == Decimal("19.99")


# --- upgrades ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_creator_to_premium_upgrade_applies_now_with_an_exact_prorated_invoice():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly")  # 2026-03-01 .. 2026-04-01, 31 days
    with freeze_time(at(2026, 3, 11, 12)):  # 21 of 31 days left
        response = bearer_client(user).post(CHANGE_PLAN, {"plan": "premium"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["plan"]["code"] == "premium"
    assert body["status"] == "active"
    assert body["current_period_start"] == "2026-03-01T12:00:00Z"
    assert body["current_period_end"] == "2026-04-01T12:00:00Z"
    invoice = Invoice.objects.get(subscription=subscription, reason="subscription_update")
    # credit = 9.99 * 1814400 / 2678400 = 6.7674… -> 6.77; charge = 19.99 * … = 13.5416… -> 13.54
    assert _lines(invoice) == [
        ("Unused time on Creator (monthly)", Decimal("-6.77")),
        ("Remaining time on Premium (monthly)", Decimal("13.54")),
    ]
    assert invoice.subtotal == Decimal("6.77")
    assert invoice.total == Decimal("6.77")
    assert invoice.status == "paid"
    assert invoice.number == "VZ-2026-000002"
    assert invoice.period_start == at(2026, 3, 11, 12)
    assert invoice.period_end == at(2026, 4, 1, 12)
    subscription.refresh_from_db()
    assert subscription.plan.code == "premium"
    entry = AuditLog.objects.get(action="subscription.upgrade")
    assert entry.actor_id == user.pk
    assert entry.metadata == {
        "user_id": str(user.pk),
        "from_plan": "creator",
        "to_plan": "premium",
        "invoice": "VZ-2026-000002",
        "amount": "6.77",
    }


@pytest.mark.django_db
def test_yearly_upgrade_is_prorated_on_the_yearly_prices():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "yearly")  # 365 days to 2027-03-01
    services.subscription_change_plan(
        subscription=subscription, plan_code="premium", now=at(2026, 8, 13, 12)
    )  # 200 days left

    invoice = Invoice.objects.get(subscription=subscription, reason="subscription_update")
    # credit = 99.90 * 200/365 = 54.7397… -> 54.74; charge = 199.90 * 200/365 = 109.5342… -> 109.53
    assert _lines(invoice) == [
        ("Unused time on Creator (yearly)", Decimal("-54.74")),
        ("Remaining time on Premium (yearly)", Decimal("109.53")),
    ]
    assert invoice.total == Decimal("54.79")


@pytest.mark.django_db
def test_after_an_upgrade_the_renewal_charges_the_new_plan():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly")
    services.subscription_change_plan(
        subscription=subscription, plan_code="premium", now=at(2026, 3, 11, 12)
    )

    services.subscriptions_process_due(now=at(2026, 4, 1, 12))

    renewal = Invoice.objects.get(subscription=subscription, reason="subscription_cycle")
    assert renewal.total == Decimal("19.99")
    assert renewal.period_start == at(2026, 4, 1, 12)
    assert renewal.period_end == at(2026, 5, 1, 12)


@pytest.mark.django_db
def test_declined_upgrade_answers_402_and_keeps_the_plan():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly")
    decline(user)
    with freeze_time(at(2026, 3, 11, 12)):
        response = bearer_client(user).post(CHANGE_PLAN, {"plan": "premium"}, format="json")

    assert_error(response, 402, "PAYMENT_FAILED")
    subscription.refresh_from_db()
    assert subscription.plan.code == "creator"
    assert Invoice.objects.filter(subscription=subscription).count() == 1
    assert not AuditLog.objects.filter(action="subscription.upgrade").exists()
    assert AuditLog.objects.get(action="billing.payment_declined").metadata["during"] == "upgrade"


@pytest.mark.django_db
def test_upgrade_during_a_trial_switches_plan_without_charge():
    """Only possible with a plan above Premium; staff can create one in the admin."""
    PlanFactory(code="studio", monthly_price=Decimal("49.99"))
    user = UserFactory(verified=True)
    subscription = subscribe(user, "premium", "monthly")

    services.subscription_change_plan(
        subscription=subscription, plan_code="studio", now=T0 + timedelta(days=3)
    )

    subscription.refresh_from_db()
    assert subscription.plan.code == "studio"
    assert subscription.status == "trialing"
    assert not Invoice.objects.filter(subscription=subscription).exists()


@pytest.mark.django_db
def test_upgrade_with_a_pending_cancel_is_a_conflict(user):
    subscription = subscribe(user, "creator")
    services.subscription_cancel(subscription=subscription, now=T0 + timedelta(days=1))

    response = bearer_client(user).post(CHANGE_PLAN, {"plan": "premium"}, format="json")

    error = assert_error(response, 409, "CONFLICT", details={})
    assert error["message"] == "Reactivate the subscription before upgrading."
    subscription.refresh_from_db()
    assert subscription.plan.code == "creator"
    assert Invoice.objects.filter(subscription=subscription).count() == 1


# --- downgrades --------------------------------------------------------------------------


@pytest.mark.django_db
def test_premium_to_creator_downgrade_waits_for_the_period_end():
    user = UserFactory(verified=True)
    subscription = subscribe(user, "premium", "monthly")
    Subscription.objects.filter(pk=subscription.pk).update(trial_end=None)  # paid, not trial
    subscription = services.subscription_change_plan(
        subscription=subscription, plan_code="creator", now=T0 + timedelta(days=2)
    )
    with freeze_time(T0 + timedelta(days=2)):
        body = bearer_client(user).get("/api/v1/billing/subscription").json()

    assert body["plan"]["code"] == "premium"
    assert body["has_paid_plan"] is True
    assert body["scheduled_change"] == {
        "plan": "creator",
        "billing_cycle": None,
        "effective_at": "2026-03-15T12:00:00Z",
    }
    assert not Invoice.objects.filter(subscription=subscription).exists()
    entry = AuditLog.objects.get(action="subscription.downgrade_schedule")
    assert entry.metadata["from_plan"] == "premium"
    assert entry.metadata["to_plan"] == "creator"

    services.subscriptions_process_due(now=at(2026, 3, 15, 12))  # trial end = period end

    subscription.refresh_from_db()
    assert subscription.plan.code == "creator"
    assert subscription.scheduled_plan is None
    assert subscription.status == "active"
    invoice = Invoice.objects.get(subscription=subscription)
    assert invoice.total == Decimal("9.99")
    assert AuditLog.objects.filter(action="subscription.scheduled_change_apply").count() == 1


@pytest.mark.django_db
def test_downgrade_to_free_keeps_the_plan_until_the_period_end_then_expires(user):
    subscription = subscribe(user, "creator", "monthly")
    with freeze_time(T0 + timedelta(days=5)):
        response = bearer_client(user).post(CHANGE_PLAN, {"plan": "free"}, format="json")

    assert response.status_code == 200
    assert response.json()["plan"]["code"] == "creator"
    assert response.json()["scheduled_change"]["plan"] == "free"

    services.subscriptions_process_due(now=at(2026, 4, 1, 12))

    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert subscription.ended_at == at(2026, 4, 1, 12)
    assert Invoice.objects.filter(subscription=subscription).count() == 1  # no renewal
    assert AuditLog.objects.get(action="subscription.expire").metadata == {
        "user_id": str(user.pk),
        "reason": "downgraded_to_free",
    }
    with freeze_time(at(2026, 4, 2)):
        body = bearer_client(user).get("/api/v1/billing/subscription").json()
    assert body["plan"]["code"] == "free"
    assert body["status"] is None


@pytest.mark.django_db
def test_choosing_the_current_plan_again_drops_a_scheduled_downgrade(user):
    subscription = subscribe(user, "creator")
    services.subscription_change_plan(subscription=subscription, plan_code="free")

    response = bearer_client(user).post(CHANGE_PLAN, {"plan": "creator"}, format="json")

    assert response.status_code == 200
    assert response.json()["scheduled_change"] is None
    subscription.refresh_from_db()
    assert subscription.scheduled_plan is None
    assert AuditLog.objects.filter(action="subscription.scheduled_plan_drop").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("plan", ["gold", "", "FREE", "x" * 40])
def test_change_plan_with_a_bad_code_is_a_validation_error(user, plan):
    subscription = subscribe(user, "creator")

    response = bearer_client(user).post(CHANGE_PLAN, {"plan": plan}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(error["details"]) == ["plan"]
    subscription.refresh_from_db()
    assert subscription.plan.code == "creator"
    assert subscription.scheduled_plan is None


@pytest.mark.django_db
def test_change_plan_without_subscription_is_a_conflict(user_client):
    response = user_client.post(CHANGE_PLAN, {"plan": "premium"}, format="json")

    error = assert_error(response, 409, "CONFLICT", details={})
    assert error["message"] == "You have no paid subscription."
    assert not Invoice.objects.exists()


# --- cycle changes -----------------------------------------------------------------------


@pytest.mark.django_db
def test_cycle_change_applies_at_the_next_renewal(user):
    subscription = subscribe(user, "creator", "monthly")
    with freeze_time(T0 + timedelta(days=3)):
        response = bearer_client(user).post(
            CHANGE_CYCLE, {"billing_cycle": "yearly"}, format="json"
        )

    assert response.status_code == 200
    assert response.json()["billing_cycle"] == "monthly"
    assert response.json()["scheduled_change"] == {
        "plan": None,
        "billing_cycle": "yearly",
        "effective_at": "2026-04-01T12:00:00Z",
    }
    assert AuditLog.objects.get(action="subscription.cycle_change_schedule").metadata == {
        "user_id": str(user.pk),
        "from_billing_cycle": "monthly",
        "to_billing_cycle": "yearly",
        "effective_at": "2026-04-01T12:00:00+00:00",
    }

    services.subscriptions_process_due(now=at(2026, 4, 1, 12))

    subscription.refresh_from_db()
    assert subscription.billing_cycle == "yearly"
    assert subscription.current_period_start == at(2026, 4, 1, 12)
    assert subscription.current_period_end == at(2027, 4, 1, 12)
    renewal = Invoice.objects.get(subscription=subscription, reason="subscription_cycle")
    assert renewal.total == Decimal("99.90")


@pytest.mark.django_db
def test_choosing_the_current_cycle_drops_a_scheduled_cycle_change(user):
    subscription = subscribe(user, "creator", "monthly")
    services.subscription_change_cycle(subscription=subscription, billing_cycle="yearly")

    response = bearer_client(user).post(CHANGE_CYCLE, {"billing_cycle": "monthly"}, format="json")

    assert response.status_code == 200
    assert response.json()["scheduled_change"] is None
    subscription.refresh_from_db()
    assert subscription.scheduled_billing_cycle == ""


@pytest.mark.django_db
@pytest.mark.parametrize("cycle", ["weekly", "", None, 12, "MONTHLY"])
def test_change_cycle_with_a_bad_cycle_is_a_validation_error(user, cycle):
    subscription = subscribe(user, "creator", "monthly")

    response = bearer_client(user).post(CHANGE_CYCLE, {"billing_cycle": cycle}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(error["details"]) == ["billing_cycle"]
    subscription.refresh_from_db()
    assert subscription.scheduled_billing_cycle == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_upgrade_requests_charge_one_prorated_invoice(live_server):
    user = UserFactory(verified=True)
    subscription = subscribe(user, "creator", "monthly", now=timezone.now() - timedelta(days=3))
    auth = bearer_client(user)._credentials["HTTP_AUTHORIZATION"]
    start = threading.Barrier(6)

    def upgrade(_):
        start.wait()
        return requests.post(
            live_server.url + CHANGE_PLAN,
            json={"plan": "premium"},
            headers={"Authorization": auth},
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(upgrade, range(6)))

    assert [r.status_code for r in responses] == [200] * 6, [r.json() for r in responses]
    assert all(response.json()["plan"]["code"] == "premium" for response in responses)
    assert (
        Invoice.objects.filter(subscription=subscription, reason="subscription_update").count() == 1
    )
    assert AuditLog.objects.filter(action="subscription.upgrade").count() == 1


@pytest.mark.django_db
def test_upgrade_to_a_plan_in_another_currency_is_a_conflict(user):
    PlanFactory(code="premium-eur", monthly_price=Decimal("24.99"), currency="EUR")
    subscription = subscribe(user, "creator")

    response = bearer_client(user).post(CHANGE_PLAN, {"plan": "premium-eur"}, format="json")

    error = assert_error(response, 409, "CONFLICT", details={})
    assert error["message"] == "These plans are billed in different currencies."
    subscription.refresh_from_db()
    assert subscription.plan.code == "creator"
    assert Invoice.objects.filter(subscription=subscription).count() == 1

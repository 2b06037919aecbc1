"""Subscribing (shared/API.md, Billing: POST /api/v1/billing/subscription) and reading it back."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.db import connection
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.accounts.models import AuditLog
from apps.billing.models import Invoice, InvoiceLine, Subscription, SubscriptionStatus
from tests.accounts.factories import UserFactory
from tests.billing.factories import T0, SubscriptionFactory, at, declining_user, subscribe
from tests.conftest import bearer_client
from tests.helpers import assert_error

URL = "/api/v1/billing/subscription"

FREE_PLAN = {
    "code": "free",
    "name": "Free",
    "description": "Listen, upload and share.",
    "monthly_price": "0.00",
    "yearly_price": "0.00",
    "currency": "USD",
    "trial_days": 0,
    "features": ["Unlimited streaming", "Track uploads", "Public profile"],
}


def _nothing_billed(user):
    assert not Subscription.objects.filter(user=user).exists()
    assert not Invoice.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_user_without_subscription_is_on_free(user_client):
    response = user_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "id": None,
        "plan": FREE_PLAN,
        "billing_cycle": None,
        "status": None,
        "has_paid_plan": False,
        "current_period_start": None,
        "current_period_end": None,
        "trial_end": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "scheduled_change": None,
        "next_payment_retry_at": None,
        "created_at": None,
    }


@pytest.mark.django_db
def test_subscription_needs_login():
    response = APIClient().post(URL, {"plan": "creator", "billing_cycle": "monthly"}, format="json")

    assert_error(response, 401, "AUTHENTICATION_REQUIRED")
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_creator_monthly_is_charged_now_with_the_first_invoice():
    user = UserFactory(verified=True)
    with freeze_time(T0):
        response = bearer_client(user).post(
            URL, {"plan": "creator", "billing_cycle": "monthly"}, format="json"
        )

    assert response.status_code == 201
    body = response.json()
    subscription = Subscription.objects.get(user=user)
    assert body["id"] == str(subscription.pk)
    assert body["plan"]["code"] == "creator"
    assert body["billing_cycle"] == "monthly"
    assert body["status"] == "active"
    assert body["has_paid_plan"] is True
    assert body["current_period_start"] == "2026-03-01T12:00:00Z"
    assert body["current_period_end"] == "2026-04-01T12:00:00Z"
    assert body["trial_end"] is None
    invoice = Invoice.objects.get(user=user)
    assert invoice.number == "VZ-2026-000001"
    assert invoice.reason == "subscription_create"
    assert invoice.status == "paid"
    assert invoice.subtotal == Decimal("9.99")
    assert invoice.total == Decimal("9.99")
    assert invoice.currency == "USD"
    assert invoice.paid_at == T0
    assert invoice.payment_reference.startswith("sandbox_ch_")
    assert list(
        InvoiceLine.objects.filter(invoice=invoice).values_list("description", "amount")
    ) == [("Creator (monthly)", Decimal("9.99"))]
    entry = AuditLog.objects.get(action="subscription.create")
    assert entry.actor_id == user.pk
    assert entry.target_id == str(subscription.pk)
    assert entry.metadata == {
        "user_id": str(user.pk),
        "plan": "creator",
        "billing_cycle": "monthly",
        "status": "active",
        "trial_end": None,
        "invoice": "VZ-2026-000001",
    }


@pytest.mark.django_db
def test_creator_yearly_is_charged_the_yearly_price_for_a_year():
    user = UserFactory(verified=True)

    subscription = subscribe(user, "creator", "yearly")

    assert subscription.current_period_end == T0.replace(year=2027)
    assert Invoice.objects.get(user=user).total == Decimal("99.90")


@pytest.mark.django_db
def test_premium_starts_with_a_14_day_trial_and_no_charge():
    user = UserFactory(verified=True)
    with freeze_time(T0):
        response = bearer_client(user).post(
            URL, {"plan": "premium", "billing_cycle": "monthly"}, format="json"
        )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "trialing"
    assert body["has_paid_plan"] is True
    assert body["current_period_start"] == "2026-03-01T12:00:00Z"
    assert body["current_period_end"] == "2026-03-15T12:00:00Z"
    assert body["trial_end"] == "2026-03-15T12:00:00Z"
    assert not Invoice.objects.filter(user=user).exists()
    assert AuditLog.objects.get(action="subscription.create").metadata["trial_end"] == (
        "2026-03-15T12:00:00+00:00"
    )


@pytest.mark.django_db
def test_premium_trial_is_once_per_account_ever():
    user = UserFactory(verified=True)
    SubscriptionFactory(  # a Premium trial that ended without a payment
        user=user, trialing=True, status=SubscriptionStatus.EXPIRED, ended_at=at(2026, 3, 15, 12)
    )

    later = T0 + timedelta(days=40)
    second = subscribe(user, "premium", now=later)

    assert second.status == SubscriptionStatus.ACTIVE
    assert second.trial_end is None
    invoice = Invoice.objects.get(subscription=second)
    assert invoice.total == Decimal("19.99")
    assert invoice.status == "paid"


@pytest.mark.django_db
def test_subscribing_twice_is_a_conflict_and_changes_nothing(user):
    subscribe(user, "creator")
    client = bearer_client(user)

    response = client.post(URL, {"plan": "premium", "billing_cycle": "yearly"}, format="json")

    assert_error(response, 409, "CONFLICT")
    assert Subscription.objects.filter(user=user).count() == 1
    assert Subscription.objects.get(user=user).plan.code == "creator"
    assert Invoice.objects.filter(user=user).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"plan": "gold", "billing_cycle": "monthly"}, "plan"),
        ({"plan": "free", "billing_cycle": "monthly"}, "plan"),
        ({"plan": "", "billing_cycle": "monthly"}, "plan"),
        ({"plan": "creator", "billing_cycle": "weekly"}, "billing_cycle"),
        ({"plan": "creator", "billing_cycle": ""}, "billing_cycle"),
        ({"plan": "creator"}, "billing_cycle"),
        ({"billing_cycle": "monthly"}, "plan"),
        ({"plan": ["creator"], "billing_cycle": "monthly"}, "plan"),
    ],
)
def test_bad_plan_codes_and_cycles_are_validation_errors(user, payload, field):
    response = bearer_client(user).post(URL, payload, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(error["details"]) == [field]
    _nothing_billed(user)


@pytest.mark.django_db
def test_inactive_plan_cannot_be_subscribed(user):
    from apps.billing.models import Plan

    Plan.objects.filter(code="creator").update(is_active=False)

    response = bearer_client(user).post(
        URL, {"plan": "creator", "billing_cycle": "monthly"}, format="json"
    )

    assert_error(
        response,
        400,
        "VALIDATION_ERROR",
        details={"plan": ['"creator" is not a valid plan. Choose one of: premium.']},
    )
    _nothing_billed(user)


@pytest.mark.django_db
def test_declined_first_charge_answers_402_and_leaves_nothing_but_an_audit_entry():
    user = declining_user()
    with freeze_time(T0):
        response = bearer_client(user).post(
            URL, {"plan": "creator", "billing_cycle": "monthly"}, format="json"
        )

    error = assert_error(
        response,
        402,
        "PAYMENT_FAILED",
        details={"reason": "Card declined (sandbox: the email contains +decline)."},
    )
    assert error["message"] == "The payment was declined. Nothing was changed."
    _nothing_billed(user)
    entry = AuditLog.objects.get(action="billing.payment_declined")
    assert entry.actor_id == user.pk
    assert entry.metadata == {
        "during": "subscribe",
        "amount": "9.99",
        "currency": "USD",
        "reason": "Card declined (sandbox: the email contains +decline).",
    }
    assert not AuditLog.objects.filter(action="subscription.create").exists()
    # The rolled-back invoice gave its number back: the next invoice is still 000001.
    other = UserFactory(verified=True)
    subscribe(other, "creator")
    assert Invoice.objects.get(user=other).number == "VZ-2026-000001"


@pytest.mark.django_db
def test_get_returns_the_live_subscription(user):
    subscription = subscribe(user, "creator", "yearly")

    response = bearer_client(user).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(subscription.pk)
    assert body["plan"]["code"] == "creator"
    assert body["billing_cycle"] == "yearly"
    assert body["status"] == "active"
    assert body["current_period_end"] == "2027-03-01T12:00:00Z"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(2))
def test_parallel_double_subscribe_leaves_one_subscription_and_one_charge(live_server, attempt):
    user = UserFactory(verified=True)
    auth = bearer_client(user)._credentials["HTTP_AUTHORIZATION"]
    start = threading.Barrier(8)

    def post(index):
        start.wait()
        return requests.post(
            live_server.url + URL,
            json={"plan": "creator", "billing_cycle": "monthly" if index % 2 else "yearly"},
            headers={"Authorization": auth},
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, range(8)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 7
    for response in responses:
        if response.status_code != 201:
            assert_error(response, 409, "CONFLICT")
    assert Subscription.objects.filter(user=user).count() == 1
    assert Invoice.objects.filter(user=user).count() == 1
    assert AuditLog.objects.filter(action="subscription.create").count() == 1


@pytest.mark.django_db
def test_without_the_free_plan_row_the_caller_still_gets_free(user_client):
    from apps.billing.models import Plan

    Plan.objects.filter(code="free").delete()

    response = user_client.get(URL)

    assert response.status_code == 200
    assert response.json()["plan"] == {
        "code": "free",
        "name": "Free",
        "description": "",
        "monthly_price": "0.00",
        "yearly_price": "0.00",
        "currency": "USD",
        "trial_days": 0,
        "features": [],
    }

"""The payment gateway seam: the sandbox's documented behaviour and plugging in another one."""

from decimal import Decimal

import pytest
from django.test import override_settings

from apps.billing.gateways import (
    SANDBOX_DISABLED_REASON,
    ChargeResult,
    PaymentGateway,
    SandboxGateway,
    get_gateway,
)
from apps.billing.models import Invoice, Subscription
from tests.accounts.factories import UserFactory
from tests.billing.factories import T0
from tests.conftest import bearer_client
from tests.helpers import assert_error


class AlwaysDeclines(PaymentGateway):
    name = "test-declines"

    def charge(self, *, user, amount, currency, description, idempotency_key):
        return ChargeResult(succeeded=False, failure_reason="Insufficient funds (test provider).")


def test_sandbox_is_deterministic_and_declines_only_the_documented_emails():
    gateway = SandboxGateway()

    class Account:
        def __init__(self, email):
            self.email = email

    ok = gateway.charge(
        user=Account("alice@example.com"),
        amount=Decimal("9.99"),
        currency="USD",
        description="x",
        idempotency_key="k1",
    )
    again = gateway.charge(
        user=Account("alice@example.com"),
        amount=Decimal("9.99"),
        currency="USD",
        description="x",
        idempotency_key="k1",
    )
    declined = gateway.charge(
        user=Account("Alice+Decline@example.com"),
        amount=Decimal("9.99"),
        currency="USD",
        description="x",
        idempotency_key="k2",
    )
    domain_only = gateway.charge(
        user=Account("alice@x+decline.example.com"),
        amount=Decimal("9.99"),
        currency="USD",
        description="x",
        idempotency_key="k3",
    )

    assert ok.succeeded is True
    assert ok == again
    assert ok.reference.startswith("sandbox_ch_")
    assert declined.succeeded is False
    assert declined.failure_reason == "Card declined (sandbox: the email contains +decline)."
    assert domain_only.succeeded is True


def test_default_gateway_is_the_sandbox():
    assert isinstance(get_gateway(), SandboxGateway)


@pytest.mark.django_db
@override_settings(BILLING_PAYMENT_GATEWAY="tests.billing.test_gateway.AlwaysDeclines")
def test_another_gateway_plugs_in_through_the_setting_without_touching_the_rules():
    user = UserFactory(verified=True)
    from freezegun import freeze_time

    with freeze_time(T0):
        response = bearer_client(user).post(
            "/api/v1/billing/subscription",
            {"plan": "creator", "billing_cycle": "monthly"},
            format="json",
        )

    assert_error(
        response, 402, "PAYMENT_FAILED", details={"reason": "Insufficient funds (test provider)."}
    )
    assert not Invoice.objects.exists()


@pytest.mark.django_db
@override_settings(BILLING_SANDBOX=False)
def test_the_sandbox_grants_no_paid_plan_where_the_deployment_is_not_a_sandbox():
    user = UserFactory(verified=True)

    response = bearer_client(user).post(
        "/api/v1/billing/subscription",
        {"plan": "creator", "billing_cycle": "monthly"},
        format="json",
    )

    error = assert_error(
        response, 402, "PAYMENT_FAILED", details={"reason": SANDBOX_DISABLED_REASON}
    )
    assert error["message"] == "The payment was declined. Nothing was changed."
    assert not Subscription.objects.filter(user=user).exists()
    assert not Invoice.objects.filter(user=user).exists()

"""Billing test helpers: fixed instants, plan and subscription factories, a counting gateway
and shortcuts that subscribe through the service (with its invoice and audit entry)."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory
from dateutil.relativedelta import relativedelta
from factory.django import DjangoModelFactory

from apps.billing import services
from apps.billing.gateways import ChargeResult, SandboxGateway
from apps.billing.models import (
    CYCLE_MONTHS,
    BillingCycle,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from tests.accounts.factories import UserFactory

#: 2026-03-01 12:00 UTC: March has 31 days, so a monthly period is 2,678,400 seconds.
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class PlanFactory(DjangoModelFactory):
    """A plan by code: a seeded code (``free``, ``creator``, ``premium``) returns the seeded row
    untouched (the data migration owns those), any other code creates a plan."""

    class Meta:
        model = Plan
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.LazyAttribute(lambda plan: plan.code.replace("-", " ").title())
    monthly_price = Decimal("9.99")
    yearly_price = factory.LazyAttribute(lambda plan: plan.monthly_price * 10)
    currency = "USD"


class SubscriptionFactory(DjangoModelFactory):
    """A subscription row in a given state, written directly (no charge, invoice or audit
    entry): for tests about reading or acting on a state. Defaults: a verified user on Creator,
    monthly, active, in its first period from ``T0``. Traits: ``trialing`` (Premium's 14-day
    trial), ``cancel_pending`` (cancelled, access until the period end), ``past_due`` (the
    renewal charge failed once), ``canceled`` (ended while past due)."""

    class Meta:
        model = Subscription

    user = factory.SubFactory(UserFactory, is_verified=True)
    plan = factory.SubFactory(PlanFactory, code="creator")
    billing_cycle = BillingCycle.MONTHLY
    status = SubscriptionStatus.ACTIVE
    current_period_start = T0
    billing_anchor = factory.SelfAttribute("current_period_start")
    current_period_end = factory.LazyAttribute(
        lambda sub: sub.billing_anchor + relativedelta(months=CYCLE_MONTHS[sub.billing_cycle])
    )
    created_at = factory.SelfAttribute("current_period_start")

    class Params:
        trialing = factory.Trait(
            plan=factory.SubFactory(PlanFactory, code="premium"),
            status=SubscriptionStatus.TRIALING,
            trial_end=factory.LazyAttribute(
                lambda sub: sub.current_period_start + timedelta(days=14)
            ),
            billing_anchor=factory.SelfAttribute("trial_end"),
            current_period_end=factory.SelfAttribute("trial_end"),
        )
        cancel_pending = factory.Trait(
            cancel_at_period_end=True,
            canceled_at=factory.LazyAttribute(
                lambda sub: sub.current_period_start + timedelta(days=1)
            ),
        )
        past_due = factory.Trait(
            status=SubscriptionStatus.PAST_DUE,
            past_due_since=factory.SelfAttribute("current_period_start"),
            payment_attempts=1,
            next_payment_retry_at=factory.LazyAttribute(
                lambda sub: sub.past_due_since + timedelta(days=1)
            ),
        )
        canceled = factory.Trait(
            status=SubscriptionStatus.CANCELED,
            canceled_at=factory.LazyAttribute(
                lambda sub: sub.current_period_start + timedelta(days=3)
            ),
            ended_at=factory.SelfAttribute("canceled_at"),
        )


class RecordingGateway(SandboxGateway):
    """The sandbox, plus a thread-safe record of every charge (what left the machine)."""

    def __init__(self):
        self.charges: list[dict] = []
        self._lock = threading.Lock()

    def charge(self, *, user, amount, currency, description, idempotency_key) -> ChargeResult:
        result = super().charge(
            user=user,
            amount=amount,
            currency=currency,
            description=description,
            idempotency_key=idempotency_key,
        )
        with self._lock:
            self.charges.append(
                {
                    "email": user.email,
                    "amount": amount,
                    "currency": currency,
                    "key": idempotency_key,
                    "succeeded": result.succeeded,
                }
            )
        return result


def declining_user(**kwargs):
    """An account the sandbox always declines (documented switch: ``+decline`` in the email)."""
    user = UserFactory(is_verified=True, **kwargs)
    user.email = f"{user.username}+decline@example.com"
    user.save(update_fields=["email"])
    return user


def subscribe(user, plan="creator", cycle="monthly", now=T0, gateway=None):
    return services.subscription_create(
        user=user, plan_code=plan, billing_cycle=cycle, now=now, gateway=gateway
    )


def decline(user):
    local, domain = user.email.split("@")
    user.email = f"{local}+decline@{domain}"
    user.save(update_fields=["email"])


def undecline(user):
    user.email = user.email.replace("+decline", "")
    user.save(update_fields=["email"])


D = Decimal

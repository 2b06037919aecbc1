"""Billing test helpers: fixed instants, a counting gateway and subscription shortcuts."""

import threading
from datetime import UTC, datetime
from decimal import Decimal

from apps.billing import services
from apps.billing.gateways import ChargeResult, SandboxGateway
from tests.accounts.factories import UserFactory

#: 2026-03-01 12:00 UTC: March has 31 days, so a monthly period is 2,678,400 seconds.
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


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

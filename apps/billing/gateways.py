"""Payment gateways: the one seam between the billing rules and a payment provider.

The rules (:mod:`apps.billing.services`) only ever call :meth:`PaymentGateway.charge`; a real
provider plugs in by subclassing :class:`PaymentGateway` and pointing the
``BILLING_PAYMENT_GATEWAY`` setting at it. The default is :class:`SandboxGateway`, so the whole
lifecycle runs on one machine.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_GATEWAY = "apps.billing.gateways.SandboxGateway"

#: Sandbox failure switch: a charge to an account whose email's local part contains this
#: marker is declined (``alice+decline@example.com``). Documented in the README and the admin.
SANDBOX_DECLINE_MARKER = "+decline"


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    reference: str = ""
    failure_reason: str = ""


class PaymentGateway(ABC):
    """Charges a customer. Implementations must honour ``idempotency_key``: the same key
    charged twice moves money once (the billing rules derive it from the invoice and attempt)."""

    name: str = ""
    #: A gateway that moves no real money; refused in production unless ``BILLING_SANDBOX``.
    is_sandbox: bool = False

    @abstractmethod
    def charge(
        self,
        *,
        user,
        amount: Decimal,
        currency: str,
        description: str,
        idempotency_key: str,
    ) -> ChargeResult:
        raise NotImplementedError


#: What a charge answers when the sandbox runs on a deployment that did not say it is one.
SANDBOX_DISABLED_REASON = (
    "Payments are not configured on this server (the sandbox gateway is disabled here)."
)


class SandboxGateway(PaymentGateway):
    """Deterministic: every charge succeeds, except for accounts whose email contains
    ``+decline`` in its local part, which are always declined. No network, no state.

    It fails closed: where ``BILLING_SANDBOX`` is off (the default when ``DEBUG`` is off) every
    charge is declined, so a production deploy that forgot to configure a real gateway grants
    no paid plan for free. The deploy check ``billing.E001`` refuses that configuration too.
    """

    name = "sandbox"
    is_sandbox = True

    def charge(self, *, user, amount, currency, description, idempotency_key) -> ChargeResult:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        if not settings.BILLING_SANDBOX:
            return ChargeResult(
                succeeded=False,
                reference=f"sandbox_disabled_{digest}",
                failure_reason=SANDBOX_DISABLED_REASON,
            )
        local_part = (user.email or "").rsplit("@", 1)[0].lower()
        if SANDBOX_DECLINE_MARKER in local_part:
            return ChargeResult(
                succeeded=False,
                reference=f"sandbox_declined_{digest}",
                failure_reason="Card declined (sandbox: the email contains +decline).",
            )
        return ChargeResult(succeeded=True, reference=f"sandbox_ch_{digest}")


def get_gateway() -> PaymentGateway:
    """The configured gateway (``settings.BILLING_PAYMENT_GATEWAY``, a dotted class path)."""
    path = getattr(settings, "BILLING_PAYMENT_GATEWAY", DEFAULT_GATEWAY)
    return import_string(path)()

"""Error codes of the billing domain (shared/API.md, Billing and Conventions)."""

from enum import StrEnum

from veza.api.exceptions import ApplicationError, Conflict


class ErrorCode(StrEnum):
    """Billing's own error codes (shared/API.md, Billing); generic ones come from
    :class:`veza.api.exceptions.ErrorCode`."""

    PAYMENT_FAILED = "PAYMENT_FAILED"


class PaymentFailed(ApplicationError):
    """The gateway declined a charge made during the request; nothing was changed."""

    status_code = 402
    code = ErrorCode.PAYMENT_FAILED
    message = "The payment was declined. Nothing was changed."


class NoSubscription(Conflict):
    message = "You have no paid subscription."


class AlreadySubscribed(Conflict):
    message = "You already have a subscription. Change its plan or billing cycle instead."


class SubscriptionStateConflict(Conflict):
    """The subscription's state does not allow this change (message says why)."""

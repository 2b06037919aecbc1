"""Error codes of the billing domain (shared/API.md, Billing and Conventions)."""

from veza.api.exceptions import ApplicationError, Conflict


class PaymentFailed(ApplicationError):
    """The gateway declined a charge made during the request; nothing was changed."""

    status_code = 402
    code = "PAYMENT_FAILED"
    message = "The payment was declined. Nothing was changed."


class NoSubscription(Conflict):
    message = "You have no paid subscription."


class AlreadySubscribed(Conflict):
    message = "You already have a subscription. Change its plan or billing cycle instead."


class SubscriptionStateConflict(Conflict):
    """The subscription's state does not allow this change (message says why)."""

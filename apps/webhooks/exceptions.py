"""Error codes of webhooks (README "Webhooks for integrators")."""

from enum import StrEnum

from veza.api.exceptions import ApplicationError, NotFound


class ErrorCode(StrEnum):
    WEBHOOK_LIMIT_REACHED = "WEBHOOK_LIMIT_REACHED"


class WebhookLimitReached(ApplicationError):
    status_code = 409
    code = ErrorCode.WEBHOOK_LIMIT_REACHED
    message = "You have the maximum number of webhook endpoints. Delete one to add another."


class WebhookNotFound(NotFound):
    message = "No such webhook endpoint."


class DeliveryNotFound(NotFound):
    message = "No such delivery."

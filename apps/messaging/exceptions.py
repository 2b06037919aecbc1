"""Error codes of messaging (shared/API.md, Messages); generic codes come from
:class:`veza.api.exceptions.ErrorCode`."""

from enum import StrEnum

from veza.api.exceptions import ApplicationError, ValidationFailed


class ErrorCode(StrEnum):
    BLOCKED = "BLOCKED"


class Blocked(ApplicationError):
    """One of the two participants blocked the other: no new messages either way."""

    status_code = 403
    code = ErrorCode.BLOCKED
    message = "You cannot message this user."


class CannotMessageSelf(ValidationFailed):
    def __init__(self) -> None:
        super().__init__(
            details={"participant": ["You cannot start a conversation with yourself."]}
        )

"""Error codes of creator analytics.

Analytics refuse with the generic codes only (shared/API.md, Conventions): VALIDATION_ERROR for
a bad range or zone, NOT_FOUND for another creator's stream, and the accounts rule's
CREATOR_ROLE_REQUIRED for listeners. The enum is here so a code the domain adds later has its
place.
"""

from enum import StrEnum

from veza.api.exceptions import ErrorCode as GenericErrorCode


class ErrorCode(StrEnum):
    VALIDATION_ERROR = GenericErrorCode.VALIDATION_ERROR.value
    NOT_FOUND = GenericErrorCode.NOT_FOUND.value

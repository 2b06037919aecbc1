"""Error codes of the personal-data app (shared/API.md, Personal data (GDPR)); generic codes
come from :class:`veza.api.exceptions.ErrorCode`."""

from enum import StrEnum

from veza.api.exceptions import Conflict, NotFound


class ErrorCode(StrEnum):
    EXPORT_NOT_READY = "EXPORT_NOT_READY"


class ExportNotReady(Conflict):
    code = ErrorCode.EXPORT_NOT_READY
    message = "This export is not ready (it is still being built, or it failed)."


class ExportExpired(NotFound):
    message = "This export has expired; request a new one."


class AlreadyDeleted(Conflict):
    message = "This account is already deleted."

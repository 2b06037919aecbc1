"""Error codes of streaming (shared/API.md, "GET /api/v1/tracks/{id}/stream").

Generic codes (``NOT_FOUND``, ``RATE_LIMITED``...) come from ``veza.api.exceptions.ErrorCode``;
the codes below are streaming's own.
"""

from enum import StrEnum

from rest_framework import status

from veza.api.exceptions import ApplicationError


class ErrorCode(StrEnum):
    FILE_MISSING = "FILE_MISSING"
    RANGE_NOT_SATISFIABLE = "RANGE_NOT_SATISFIABLE"


class FileMissing(ApplicationError):
    """The track row exists and may be played, but its stored file is gone."""

    status_code = status.HTTP_404_NOT_FOUND
    code = ErrorCode.FILE_MISSING
    message = "The track's file is missing."


class RangeNotSatisfiable(ApplicationError):
    """Raised with ``headers={"Content-Range": "bytes */<size>"}`` (RFC 9110, 15.5.17)."""

    status_code = status.HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE
    code = ErrorCode.RANGE_NOT_SATISFIABLE
    message = "The requested range is not satisfiable."

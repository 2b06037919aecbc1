"""Error codes of the catalog (shared/API.md, Catalog and streaming).

Generic codes come from ``veza.api.exceptions.ErrorCode``; :class:`ErrorCode` below holds the
catalog's own.
"""

from enum import StrEnum

from rest_framework import status

from veza.api.exceptions import ApplicationError
from veza.api.exceptions import ErrorCode as GenericErrorCode


class ErrorCode(StrEnum):
    LENGTH_REQUIRED = "LENGTH_REQUIRED"


class PayloadTooLarge(ApplicationError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = GenericErrorCode.PAYLOAD_TOO_LARGE
    message = "The file is larger than the upload limit."


class UnsupportedMediaType(ApplicationError):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    code = GenericErrorCode.UNSUPPORTED_MEDIA_TYPE
    message = "The file is not an audio file Veza accepts."


class LengthRequired(ApplicationError):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    code = ErrorCode.LENGTH_REQUIRED
    message = (
        "Send the upload with a Content-Length header: this server cannot read a chunked body."
    )

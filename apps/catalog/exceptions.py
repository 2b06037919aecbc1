"""Error codes of the catalog (shared/API.md, Catalog and streaming)."""

from veza.api.exceptions import ApplicationError


class PayloadTooLarge(ApplicationError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    message = "The file is larger than the upload limit."


class UnsupportedMediaType(ApplicationError):
    status_code = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    message = "The file is not an audio file Veza accepts."


class FileMissing(ApplicationError):
    status_code = 404
    code = "FILE_MISSING"
    message = "The track's file is missing."


class RangeNotSatisfiable(ApplicationError):
    status_code = 416
    code = "RANGE_NOT_SATISFIABLE"
    message = "The requested range is not satisfiable."


class LengthRequired(ApplicationError):
    status_code = 411
    code = "LENGTH_REQUIRED"
    message = (
        "Send the upload with a Content-Length header: this server cannot read a chunked body."
    )

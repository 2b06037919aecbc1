"""Django-level errors on ``/api/`` paths leave in the contract's envelope too.

DRF's exception handler covers views. What happens before or outside a view (an unknown URL,
Django's DEBUG 404 page, an unhandled exception) would otherwise answer HTML; API clients get
the envelope instead, and never a traceback.
"""

import logging

from django.conf import settings

from veza.api.exceptions import ErrorCode, error_json_response

logger = logging.getLogger("veza.api")

API_PREFIX = "/api/"

_STATUS_CODES = {
    400: (ErrorCode.VALIDATION_ERROR, "The request is not valid."),
    403: (ErrorCode.PERMISSION_DENIED, "You do not have permission to do this."),
    404: (ErrorCode.NOT_FOUND, "Not found."),
    405: (ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed."),
    413: (ErrorCode.PAYLOAD_TOO_LARGE, "The request body is too large."),
    500: (ErrorCode.INTERNAL_ERROR, "An internal error occurred."),
}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def envelope_for_status(status_code: int):
    code, message = _STATUS_CODES.get(status_code, (ErrorCode.ERROR, "The request failed."))
    return error_json_response(status_code, code, message)


class ApiErrorEnvelopeMiddleware:
    """Rewrites non-JSON error responses on API paths into the envelope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            is_api_path(request.path_info)
            and response.status_code in _STATUS_CODES
            and not response.get("Content-Type", "").startswith("application/json")
            and not getattr(response, "streaming", False)
            and not getattr(response, "veza_keep_body", False)
        ):
            return envelope_for_status(response.status_code)
        return response

    def process_exception(self, request, exception):
        if not is_api_path(request.path_info) or settings.DEBUG:
            return None
        # Only truly unhandled exceptions reach here: DRF already answered its own.
        logger.exception("Unhandled error on %s %s", request.method, request.path_info)
        return envelope_for_status(500)

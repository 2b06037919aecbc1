"""The contract's error envelope, produced in one place.

Every 4xx/5xx body is ``{"error": {"code", "message", "details"}}`` (shared/API.md,
Conventions). Business code raises :class:`ApplicationError`; DRF's exceptions and Django's
``Http404``/``PermissionDenied`` are translated here. Views never build error bodies by hand.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class ErrorCode(StrEnum):
    """The contract's generic error codes (shared/API.md, Conventions).

    Each app names its own codes in an ``ErrorCode`` enum of its ``exceptions`` module; a code
    is never a bare string literal elsewhere.
    """

    BAD_REQUEST = "BAD_REQUEST"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    AUTHENTICATION_REQUIRED = "AUTHENTICATION_REQUIRED"
    INVALID_TOKEN = "INVALID_TOKEN"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    CONFLICT = "CONFLICT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_API_KEY = "INVALID_API_KEY"
    API_KEY_SCOPE = "API_KEY_SCOPE"
    API_KEY_NOT_ALLOWED = "API_KEY_NOT_ALLOWED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    MAINTENANCE = "MAINTENANCE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    ERROR = "ERROR"


class ApplicationError(Exception):
    """A business-rule failure with a contract error code."""

    status_code = status.HTTP_400_BAD_REQUEST
    code: str = ErrorCode.BAD_REQUEST
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status_code: int | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.status_code = status_code or self.status_code
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)


class ValidationFailed(ApplicationError):
    status_code = 400
    code = ErrorCode.VALIDATION_ERROR
    message = "The request is not valid."


class NotFound(ApplicationError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    message = "Not found."


class Forbidden(ApplicationError):
    status_code = 403
    code = ErrorCode.PERMISSION_DENIED
    message = "You do not have permission to do this."


class Conflict(ApplicationError):
    status_code = 409
    code = ErrorCode.CONFLICT
    message = "The request conflicts with the current state."


class ServiceUnavailable(ApplicationError):
    status_code = 503
    code = ErrorCode.SERVICE_UNAVAILABLE
    message = "The service is temporarily unavailable."


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict:
    return {"error": {"code": str(code), "message": str(message), "details": details or {}}}


def error_json_response(
    status_code: int, code: str, message: str, details: dict | None = None
) -> JsonResponse:
    """The envelope as a plain Django response, for middleware and Django's error handlers."""
    return JsonResponse(error_body(code, message, details), status=status_code)


_DRF_CODES: dict[type[Exception], ErrorCode] = {
    drf_exceptions.ParseError: ErrorCode.VALIDATION_ERROR,
    drf_exceptions.ValidationError: ErrorCode.VALIDATION_ERROR,
    drf_exceptions.NotAuthenticated: ErrorCode.AUTHENTICATION_REQUIRED,
    drf_exceptions.AuthenticationFailed: ErrorCode.AUTHENTICATION_REQUIRED,
    drf_exceptions.PermissionDenied: ErrorCode.PERMISSION_DENIED,
    drf_exceptions.NotFound: ErrorCode.NOT_FOUND,
    drf_exceptions.MethodNotAllowed: ErrorCode.METHOD_NOT_ALLOWED,
    drf_exceptions.NotAcceptable: ErrorCode.NOT_ACCEPTABLE,
    drf_exceptions.UnsupportedMediaType: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    drf_exceptions.Throttled: ErrorCode.RATE_LIMITED,
}


def _validation_details(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail flattened to ``{"field": ["msg", ...]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for field, value in detail.items():
            if isinstance(value, dict):
                for sub_field, messages in _validation_details(value).items():
                    flat[f"{field}.{sub_field}"] = messages
            elif isinstance(value, list):
                messages: list[str] = []
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        for sub_field, sub_messages in _validation_details(item).items():
                            flat[f"{field}.{index}.{sub_field}"] = sub_messages
                    else:
                        messages.append(str(item))
                if messages:
                    flat[str(field)] = messages
            else:
                flat[str(field)] = [str(value)]
        return flat
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def _code_for_drf(exc: drf_exceptions.APIException) -> str:
    explicit = getattr(exc, "error_code", None)  # a DRF exception subclass naming its code
    if explicit:
        return explicit
    code = next(
        (code for exc_type, code in _DRF_CODES.items() if isinstance(exc, exc_type)),
        ErrorCode.ERROR,
    )
    # simplejwt's "token_not_valid" means a bad or expired token, not a missing login.
    if isinstance(exc, drf_exceptions.AuthenticationFailed):
        codes = exc.get_codes()
        if codes == "token_not_valid" or (isinstance(codes, dict) and "code" in codes):
            code = ErrorCode.INVALID_TOKEN
    return code


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every API error leaves in the contract's envelope."""
    if isinstance(exc, ApplicationError):
        response = Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is too large."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(
            error_body(ErrorCode.VALIDATION_ERROR, "The request is not valid."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    if not isinstance(exc, drf_exceptions.APIException):
        return None  # a real bug: Django's handler500 answers with INTERNAL_ERROR

    code = _code_for_drf(exc)
    if isinstance(exc, drf_exceptions.ValidationError):
        message = "The request is not valid."
        details = _validation_details(exc.detail)
    elif isinstance(exc, drf_exceptions.ParseError):
        message = "The request body could not be parsed."
        details = {"body": [str(exc.detail)]}
    else:
        message = str(exc.detail) if not isinstance(exc.detail, dict | list) else exc.default_detail
        if isinstance(exc.detail, dict) and "detail" in exc.detail:
            message = str(exc.detail["detail"])
        details = {}

    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait) + 1)

    status_code = exc.status_code
    # An authentication failure must answer 401 even when no WWW-Authenticate can be built.
    if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
        status_code = status.HTTP_401_UNAUTHORIZED
    response = Response(error_body(code, message, details), status=status_code, headers=headers)
    return response

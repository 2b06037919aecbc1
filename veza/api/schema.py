"""OpenAPI generation: every operation documents the envelope for the errors it can return.

Views declare their success bodies and any specific error codes with ``@extend_schema``; the
errors every operation of a kind can meet (bad input, missing login, unknown id, maintenance)
are added here once instead of being repeated on each view.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from veza.api.authentication import ApiKeyAuthentication
from veza.api.permissions import LoginSessionRequired


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. VALIDATION_ERROR.")
    message = serializers.CharField(help_text="Human-readable explanation.")
    details = serializers.DictField(
        help_text='Field errors for VALIDATION_ERROR (`{"field": ["msg"]}`), otherwise `{}`.'
    )


class ErrorEnvelopeSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()

    class Meta:
        ref_name = "ErrorEnvelope"


_DESCRIPTIONS = {
    "400": "Invalid input (VALIDATION_ERROR with field details, or a specific code).",
    "401": "Authentication required or credentials invalid.",
    "403": "Not allowed (PERMISSION_DENIED or a specific code).",
    "402": "Payment failed (PAYMENT_FAILED): the charge was declined and nothing changed.",
    "404": "Not found (NOT_FOUND).",
    "409": "Conflict with the current state (CONFLICT or a specific code; see the message).",
    "411": "Length required (LENGTH_REQUIRED).",
    "413": "Request body too large (PAYLOAD_TOO_LARGE).",
    "415": "Unsupported media type (UNSUPPORTED_MEDIA_TYPE).",
    "429": "Too many requests (RATE_LIMITED), see Retry-After.",
    "503": "Maintenance or a dependency is down (MAINTENANCE), see Retry-After.",
}


class VezaAutoSchema(AutoSchema):
    """AutoSchema that documents the common error responses in the contract's envelope."""

    def _requires_login(self) -> bool:
        return not any(isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _accepts_api_keys(self) -> bool:
        return any(isinstance(a, ApiKeyAuthentication) for a in self.view.get_authenticators())

    def _refuses_api_keys(self) -> bool:
        return any(isinstance(p, LoginSessionRequired) for p in self.view.get_permissions())

    def get_description(self) -> str:
        """Only ``@extend_schema(description=...)`` reaches the document: docstrings are
        written for the people who maintain the code, not for API clients, so none leaks into
        the schema (and an operation without a written description stays visibly empty)."""
        return ""

    def get_auth(self):
        """Operations that refuse API keys (``LoginSessionRequired``) do not list the key
        scheme, although the key is recognised there (to answer 403 API_KEY_NOT_ALLOWED)."""
        auth = super().get_auth()
        if self._refuses_api_keys():
            auth = [scheme for scheme in auth if "ApiKeyAuth" not in scheme]
        return auth

    def _error_codes(self) -> list[str]:
        codes = ["400", "503"]
        has_body = self.method in ("POST", "PUT", "PATCH")
        if self.view.get_authenticators():
            codes.append("401")  # a bad token is refused even where login is optional
            codes.append("403")  # CSRF on session auth, scopes, roles
        if self._requires_login():
            codes.append("401")
        if self._accepts_api_keys():
            codes.append("429")  # the key's hourly bucket (shared/API.md "API keys")
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        if has_body:
            codes.extend(["413", "415"])
        codes.extend(getattr(self.view, "extra_error_codes", ()))
        return sorted(set(codes))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorEnvelopeSerializer, code)
                response["description"] = _DESCRIPTIONS.get(code, "Error.")
                responses[code] = response
        return responses


def error_response(description: str) -> OpenApiResponse:
    """An error answer in the envelope, for ``@extend_schema(responses={409: ...})``: the
    description names the codes and when they happen."""
    return OpenApiResponse(response=ErrorEnvelopeSerializer, description=description)

"""Permission classes shared by every app."""

from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from veza.api.authentication import is_api_key_request
from veza.api.exceptions import ErrorCode


class ApiKeyNotAllowed(exceptions.PermissionDenied):
    error_code = ErrorCode.API_KEY_NOT_ALLOWED
    default_detail = (
        "This needs a signed-in session (a bearer token from /auth/login, or the session "
        "cookie); an API key cannot manage credentials."
    )


class LoginSessionRequired(BasePermission):
    """Credentials are managed by the person, not by an integrator: password change, 2FA,
    API-key creation and deletion refuse ``X-API-Key`` with 403 ``API_KEY_NOT_ALLOWED``, so a
    leaked key can neither mint more keys nor take the account over. Put it after
    ``IsAuthenticated`` so an anonymous caller gets 401 first."""

    def has_permission(self, request, view) -> bool:
        if is_api_key_request(request):
            raise ApiKeyNotAllowed()
        return True

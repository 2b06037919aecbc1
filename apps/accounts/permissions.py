"""DRF permissions of the accounts domain."""

from django.conf import settings
from rest_framework.permissions import BasePermission

from apps.accounts.exceptions import CreatorRoleRequired, TwoFactorLoginRequired
from apps.accounts.models import CONTENT_CREATOR_ROLES
from veza.api.authentication import login_passed_two_factor


class IsContentCreator(BasePermission):
    """Content-creator roles only (shared/API.md, Roles): every role but ``user``, else 403
    ``CREATOR_ROLE_REQUIRED``.

    Put it after ``IsAuthenticated`` so an anonymous caller gets 401 first.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.role not in CONTENT_CREATOR_ROLES:
            raise CreatorRoleRequired()
        return True


class IsStaffOrAdminRole(BasePermission):
    """Staff accounts or the ``admin`` role (platform operations over the API)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_staff or user.role == "admin"))


class StaffTwoFactorLogin(IsStaffOrAdminRole):
    """Staff operations over the API: staff or the ``admin`` role, signed in with a login that
    passed 2FA, like the admin site (``ADMIN_REQUIRE_OTP``).

    "Passed 2FA" is the ``otp`` claim the login service writes into a token pair when the
    one-time code was checked (kept through refresh rotation), or an OTP-verified admin session.
    A password-only login and an API key are refused with 403 ``TWO_FACTOR_LOGIN_REQUIRED``.
    Applies while ``STAFF_API_REQUIRE_OTP`` is on (default: ``not DEBUG``). Use it for every
    staff API.
    """

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if settings.STAFF_API_REQUIRE_OTP and not login_passed_two_factor(request):
            raise TwoFactorLoginRequired()
        return True

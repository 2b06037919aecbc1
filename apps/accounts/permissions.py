"""DRF permissions of the accounts domain."""

from rest_framework.permissions import BasePermission

from apps.accounts.exceptions import CreatorRoleRequired
from apps.accounts.models import CONTENT_CREATOR_ROLES


class IsContentCreator(BasePermission):
    """Go's ``RequireContentCreatorRole``: every role but ``user`` (403 CREATOR_ROLE_REQUIRED).

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

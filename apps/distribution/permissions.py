"""Who may act on a distribution beyond its owner."""

from apps.accounts.permissions import IsStaffOrAdminRole, StaffTwoFactorLogin


def staff_may_act(request, view) -> bool:
    """Staff (or the ``admin`` role) acting on someone else's distribution over the API, with
    a login that passed 2FA like every staff API (403 ``TWO_FACTOR_LOGIN_REQUIRED`` otherwise).
    Anyone else is told nothing exists (404)."""
    if not IsStaffOrAdminRole().has_permission(request, view):
        return False
    return StaffTwoFactorLogin().has_permission(request, view)

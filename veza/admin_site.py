"""The admin site: staff need a verified OTP device when ``ADMIN_REQUIRE_OTP`` is on.

``ADMIN_REQUIRE_OTP`` follows ``not DEBUG``, so production admin access is never one stolen
password away. The first device is enrolled with ``manage.py admin_otp_enroll <email>``.
"""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.sites import AdminSite
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class VezaAdminSite(OTPAdminSite):
    name = "admin"

    def __init__(self, name: str = "admin") -> None:
        AdminSite.__init__(self, name)

    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.ADMIN_REQUIRE_OTP else AdminAuthenticationForm

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.ADMIN_REQUIRE_OTP else None

    def has_permission(self, request) -> bool:
        allowed = AdminSite.has_permission(self, request)
        if not settings.ADMIN_REQUIRE_OTP:
            return allowed
        is_verified = getattr(request.user, "is_verified", None)
        return allowed and callable(is_verified) and bool(is_verified())

"""The admin site: staff need a verified OTP device when ``ADMIN_REQUIRE_OTP`` is on.

``ADMIN_REQUIRE_OTP`` follows ``not DEBUG``, so production admin access is never one stolen
password away. The first device is enrolled with ``manage.py admin_otp_enroll <email>``.
"""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.sites import AdminSite
from django.http import HttpResponse
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from veza.api import ratelimit


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

    def login(self, request, extra_context=None):
        """The admin's password form shares the API login's per-IP limit."""
        if request.method == "POST":
            try:
                ratelimit.ip_limit_enforce(request, group="login_ip")
            except ratelimit.RateLimited as exc:
                response = HttpResponse(
                    "Too many login attempts. Try again later.",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = exc.headers["Retry-After"]
                return response
        return super().login(request, extra_context)

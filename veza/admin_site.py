"""The admin site: staff need a verified OTP device when ``ADMIN_REQUIRE_OTP`` is on.

``ADMIN_REQUIRE_OTP`` follows ``not DEBUG``, so production admin access is never one stolen
password away. The first device is enrolled with ``manage.py admin_otp_enroll <email>``. The
login form with the code is ``ADMIN_OTP_LOGIN_FORM`` (the accounts app's, which answers a wrong
password and a wrong code alike); failed logins count per IP and per account like the API's.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.sites import AdminSite
from django.http import HttpResponse
from django.urls import reverse
from django.utils.module_loading import import_string
from django_otp.admin import OTPAdminSite

from veza.admin_tools import operations_panels_read
from veza.api import ratelimit
from veza.audit import audit_log_model
from veza.normalization import email_normalize


class VezaAdminSite(OTPAdminSite):
    name = "admin"
    # The lists get the whole width (a 1440 px screen shows every column); the home page and
    # the breadcrumbs lead everywhere the sidebar did.
    enable_nav_sidebar = False

    def __init__(self, name: str = "admin") -> None:
        AdminSite.__init__(self, name)
        # Django's "Delete selected" writes no audit row and asks no reason: no model admin
        # gets it, and those that let staff delete offer the audited one instead
        # (veza.admin_tools.AuditedDeleteMixin).
        self.disable_action("delete_selected")

    @property
    def login_form(self):
        if settings.ADMIN_REQUIRE_OTP:
            return import_string(settings.ADMIN_OTP_LOGIN_FORM)
        return AdminAuthenticationForm

    @property
    def login_template(self):
        return "admin/login_otp.html" if settings.ADMIN_REQUIRE_OTP else None

    def has_permission(self, request) -> bool:
        allowed = AdminSite.has_permission(self, request)
        if not settings.ADMIN_REQUIRE_OTP:
            return allowed
        is_verified = getattr(request.user, "is_verified", None)
        return allowed and callable(is_verified) and bool(is_verified())

    def index(self, request, extra_context=None):
        """The operations home page: the apps' panels (``veza.admin_tools``) above the model
        list, and the staff member's own latest audit entries beside it."""
        extra_context = {
            **(extra_context or {}),
            "operations": operations_panels_read(request.user),
            **self._my_audit_entries(request.user),
        }
        return super().index(request, extra_context)

    @staticmethod
    def _my_audit_entries(user) -> dict:
        model = audit_log_model()
        if not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            return {}
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        entries = model.objects.filter(actor_id=user.pk).order_by("-created_at")[:10]
        return {
            "my_audit_entries": [
                {
                    "action": entry.action,
                    "created_at": entry.created_at,
                    "target_type": entry.target_type,
                    "url": reverse(f"{prefix}_change", args=[entry.pk]),
                }
                for entry in entries
            ],
            "my_audit_url": f"{reverse(f'{prefix}_changelist')}?{urlencode({'q': user.email})}",
        }

    def login(self, request, extra_context=None):
        """The admin's login shares the API login's limits: per IP for every attempt, and per
        account (the normalised email) for failed ones, past which even the right password
        and code are refused (429)."""
        if request.method != "POST":
            return super().login(request, extra_context)
        account = email_normalize(request.POST.get("username", ""))
        try:
            ratelimit.ip_limit_enforce(request, group="login_ip")
            ratelimit.account_failures_check(account=account)
        except ratelimit.RateLimited as exc:
            response = HttpResponse(
                "Too many login attempts. Try again later.",
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = exc.headers["Retry-After"]
            return response
        response = super().login(request, extra_context)
        signed_in = response.status_code == 302 and request.user.is_authenticated
        if not signed_in and account:
            ratelimit.account_failure_record(account=account)
        return response

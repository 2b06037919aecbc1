"""The admin app with Veza's OTP-aware site (see ``veza.admin_site``), and the app configs
that give third-party apps human names in the admin (``INSTALLED_APPS`` names them).

Kept apart from ``veza.admin_site``: an AppConfig module must not import models.
"""

from django.contrib.admin.apps import AdminConfig
from django_celery_beat.apps import BeatConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OTPTOTPConfig


class VezaAdminConfig(AdminConfig):
    default_site = "veza.admin_site.VezaAdminSite"


# Third-party apps under names an operator understands (the admin index groups models by app).
class TwoFactorDevicesConfig(OTPTOTPConfig):
    verbose_name = "Two-factor devices"


class ScheduledJobsConfig(BeatConfig):
    verbose_name = "Scheduled jobs"

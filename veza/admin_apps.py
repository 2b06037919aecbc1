"""The admin app with Veza's OTP-aware site (see ``veza.admin_site``).

Kept apart from ``veza.admin_site``: an AppConfig module must not import models.
"""

from django.contrib.admin.apps import AdminConfig


class VezaAdminConfig(AdminConfig):
    default_site = "veza.admin_site.VezaAdminSite"

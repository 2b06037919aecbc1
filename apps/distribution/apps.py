from django.apps import AppConfig


class DistributionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.distribution"
    verbose_name = "Distribution"

    def ready(self):
        from apps.distribution import checks  # noqa: F401  (registers the deploy checks)

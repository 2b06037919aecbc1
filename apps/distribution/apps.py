from django.apps import AppConfig


class DistributionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.distribution"
    verbose_name = "Distribution"

    def ready(self):
        # The deploy checks; and a track at a platform is not deleted
        # (apps.catalog.signals.track_delete_requested).
        from apps.distribution import checks, receivers  # noqa: F401

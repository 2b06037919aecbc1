from django.apps import AppConfig


class StreamingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.streaming"
    verbose_name = "Streaming"

    def ready(self) -> None:
        # HLS renditions follow the catalog's tracks (apps.catalog.signals).
        from apps.streaming import receivers  # noqa: F401

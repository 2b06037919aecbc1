from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from apps.webhooks import checks  # noqa: F401  (registers the deploy checks)

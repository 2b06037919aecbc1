from django.apps import AppConfig


class VezaConfig(AppConfig):
    """The project package as an app: it owns the shared system checks."""

    name = "veza"
    verbose_name = "Veza platform"

    def ready(self) -> None:
        from veza import (
            checks,  # noqa: F401  (registers the checks)
            crypto,
        )

        # Fail at start-up, not at the first OAuth callback (ImproperlyConfigured says why).
        crypto.keys_validate()

"""Deploy checks of webhooks: the test-only allowance never reaches production."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def private_targets_only_while_debugging(app_configs, **kwargs):
    """``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` lets deliveries reach loopback and private
    addresses, which tests need for a receiver on localhost; in production it would let any
    user make Veza's servers call into their own network (SSRF)."""
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS and not settings.DEBUG:
        return [
            Error(
                "WEBHOOKS_ALLOW_PRIVATE_TARGETS is on while DEBUG is off: webhook deliveries "
                "could reach private and loopback addresses.",
                hint="Unset WEBHOOKS_ALLOW_PRIVATE_TARGETS (it is for tests on localhost).",
                id="webhooks.E001",
            )
        ]
    return []

"""Deploy checks of distribution: no sandbox ISRCs sent to real platforms."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

#: The default of ``ISRC_PREFIX``: "ZZ" is no country and no agency allocates it.
SANDBOX_ISRC_PREFIX = "ZZVZA"


@register(Tags.security, deploy=True)
def real_provider_needs_a_real_isrc_prefix(app_configs, **kwargs):
    """A real distributor would deliver recordings under ISRCs nobody allocated, which stores
    reject and which cannot be taken back once live."""
    provider = import_string(settings.DISTRIBUTION_PROVIDER)
    if not getattr(provider, "is_sandbox", False) and (
        settings.ISRC_PREFIX.upper() == SANDBOX_ISRC_PREFIX
    ):
        return [
            Error(
                f"DISTRIBUTION_PROVIDER is {settings.DISTRIBUTION_PROVIDER} (not the sandbox) "
                f"but ISRC_PREFIX is the sandbox default {SANDBOX_ISRC_PREFIX}.",
                hint="Set ISRC_PREFIX to the country and registrant code your national ISRC "
                "agency allocated (e.g. FRZ03).",
                id="distribution.E001",
            )
        ]
    return []

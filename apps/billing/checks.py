"""Deploy checks of billing: no free paid plans in production."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string


@register(Tags.security, deploy=True)
def sandbox_gateway_only_on_a_declared_sandbox(app_configs, **kwargs):
    """The sandbox gateway approves every charge: in production it would give paid plans away.

    It is allowed only where ``BILLING_SANDBOX`` says this deployment is a sandbox (staging,
    demos); anywhere else ``manage.py check --deploy`` fails until a real gateway is configured.
    """
    gateway = import_string(settings.BILLING_PAYMENT_GATEWAY)
    if getattr(gateway, "is_sandbox", False) and not settings.BILLING_SANDBOX:
        return [
            Error(
                f"The payment gateway {settings.BILLING_PAYMENT_GATEWAY} is a sandbox and "
                "BILLING_SANDBOX is off: paid plans would be granted without a real charge "
                "(the sandbox declines every charge here instead).",
                hint="Set BILLING_PAYMENT_GATEWAY to a real gateway, or BILLING_SANDBOX=true "
                "on a deployment that is a sandbox (staging, demo).",
                id="billing.E001",
            )
        ]
    return []

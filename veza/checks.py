"""Deploy checks: secrets that must be real and distinct (changelog: CHAT_JWT_SECRET,
VEZA-SEC-010)."""

import base64
import binascii

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from veza import crypto
from veza.settings import _DEV_FIELD_ENCRYPTION_KEY


@register(Tags.security, deploy=True)
def chat_secret_differs_from_jwt_key(app_configs, **kwargs):
    """A chat token must never verify as an API token: the two secrets must differ."""
    if settings.CHAT_JWT_SECRET == settings.SIMPLE_JWT["SIGNING_KEY"]:
        return [
            Error(
                "CHAT_JWT_SECRET equals the API's JWT signing key.",
                hint="Set CHAT_JWT_SECRET to its own random value.",
                id="veza.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def field_encryption_key_is_not_the_dev_value(app_configs, **kwargs):
    """OAuth provider tokens are encrypted with this key; the dev value is public."""
    if settings.FIELD_ENCRYPTION_KEY == _DEV_FIELD_ENCRYPTION_KEY:
        return [
            Error(
                "FIELD_ENCRYPTION_KEY is the public development value.",
                hint="Set FIELD_ENCRYPTION_KEY to 32 random bytes, base64-encoded.",
                id="veza.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def field_encryption_key_decodes(app_configs, **kwargs):
    """A key in the wrong encoding or of the wrong length would fail every OAuth callback."""
    try:
        crypto.keys_validate()
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint='Generate one with: python -c "import base64, os; '
                'print(base64.b64encode(os.urandom(32)).decode())"',
                id="veza.E003",
            )
        ]
    return []


#: The marker of every secret placeholder in .env.production.example.
EXAMPLE_PLACEHOLDER = "change-me"


def _placeholder_in(value: str) -> bool:
    if EXAMPLE_PLACEHOLDER in value:
        return True
    try:
        return EXAMPLE_PLACEHOLDER.encode() in base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        return False


@register(Tags.security, deploy=True)
def secrets_are_not_the_example_placeholders(app_configs, **kwargs):
    """The production example starts as is (so its health check can be tried), but its
    secrets are public: a deployment must replace them."""
    names = ("SECRET_KEY", "CHAT_JWT_SECRET", "FIELD_ENCRYPTION_KEY")
    left = [name for name in names if _placeholder_in(str(getattr(settings, name, "")))]
    if left:
        return [
            Error(
                f"{', '.join(left)} still hold the .env.production.example placeholder.",
                hint="Replace every change-me value with a random secret.",
                id="veza.E004",
            )
        ]
    return []

"""Deploy checks: secrets that must be real and distinct (changelog: CHAT_JWT_SECRET,
VEZA-SEC-010)."""

import base64
import binascii

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from veza import crypto, storage
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


@register()
def media_storage_and_delivery_fit(app_configs, **kwargs):
    """The storage backend and the media delivery mode must fit together (README "Serving
    media"); a mismatch would serve nothing, or serve private media without a check."""
    errors = []
    if settings.STORAGE_BACKEND not in ("local", "s3"):
        errors.append(
            Error(
                f"STORAGE_BACKEND={settings.STORAGE_BACKEND!r} is neither 'local' nor 's3'.",
                id="veza.E010",
            )
        )
    s3 = storage.is_s3()
    if s3 and not storage.storages["default"].bucket_name:
        errors.append(
            Error(
                "The S3 storage has no bucket.",
                hint="Set AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL for a non-AWS store).",
                id="veza.E011",
            )
        )
    mode = settings.STREAM_DELIVERY
    allowed = storage.S3_MODES if s3 else storage.LOCAL_MODES
    if mode not in allowed:
        errors.append(
            Error(
                f"STREAM_DELIVERY={mode!r} does not work with {'S3' if s3 else 'local'} storage.",
                hint=f"Use one of: {', '.join(allowed)}.",
                id="veza.E012",
            )
        )
    if mode == "accel" and not settings.STREAM_ACCEL_REDIRECT:
        errors.append(
            Error(
                "STREAM_DELIVERY=accel needs STREAM_ACCEL_REDIRECT (the internal nginx location).",
                id="veza.E013",
            )
        )
    if mode == "signed" and not s3:
        secret = settings.STREAM_SIGNED_SECRET
        if len(secret) < 32:
            errors.append(
                Error(
                    "STREAM_DELIVERY=signed needs STREAM_SIGNED_SECRET of at least 32 characters "
                    "(the secret of nginx's secure_link_md5).",
                    hint='Generate one with: python -c "import secrets; '
                    'print(secrets.token_urlsafe(32))"',
                    id="veza.E014",
                )
            )
        if not settings.STREAM_SIGNED_PREFIX.rstrip("/"):
            errors.append(
                Error("STREAM_DELIVERY=signed needs STREAM_SIGNED_PREFIX.", id="veza.E015")
            )
    if settings.STREAM_URL_TTL < 10 or settings.STREAM_URL_TTL > 7 * 24 * 3600:
        errors.append(
            Error(
                "STREAM_URL_TTL must be between 10 seconds and 7 days (S3's longest presign).",
                id="veza.E016",
            )
        )
    return errors


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
    names = ("SECRET_KEY", "CHAT_JWT_SECRET", "FIELD_ENCRYPTION_KEY", "STREAM_SIGNED_SECRET")
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

"""AES-256-GCM encryption of secrets at rest (changelog: CryptoService, VEZA-SEC-004).

Stored form: ``aesgcm1:<key id>:<base64url(nonce ‖ ciphertext+tag)>``. A fresh random 96-bit
nonce per value; the key id (first 8 hex digits of SHA-256 of the key) names the key that wrote
the value, so ``FIELD_ENCRYPTION_KEY`` can be rotated: the new key encrypts, the old ones listed
in ``FIELD_ENCRYPTION_KEY_FALLBACKS`` still decrypt, and ``manage.py encrypt_oauth_tokens``
re-encrypts what they wrote. ``purpose`` is bound as associated data, so a ciphertext copied
into another column does not decrypt there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "aesgcm1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """The value is not ours, was tampered with, or its key is no longer configured."""


def _decode_key(value: str) -> bytes:
    """32 bytes from base64 in either alphabet (standard ``+/`` or URL-safe ``-_``), with or
    without ``=`` padding: operators generate keys with both ``openssl rand -base64 32`` and
    ``secrets.token_urlsafe``-style tools, and a key that only one decoder accepts used to
    pass start-up and then fail every OAuth callback."""
    text = (value or "").strip()
    if not text or not re.fullmatch(r"[A-Za-z0-9+/_-]+={0,2}", text):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be base64 (standard or URL-safe alphabet)."
        )
    text = text.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be base64 (standard or URL-safe alphabet)."
        ) from exc
    if len(key) != 32:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEY must decode to 32 bytes (AES-256); it decodes to {len(key)}."
        )
    return key


def keys_validate() -> None:
    """Decode the current key and every fallback; ImproperlyConfigured names what is wrong.

    Called at start-up (``veza.apps``) and by the deploy check ``veza.E003``.
    """
    _current_key()
    for value in getattr(settings, "FIELD_ENCRYPTION_KEY_FALLBACKS", []):
        _decode_key(value)


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _current_key() -> bytes:
    return _decode_key(settings.FIELD_ENCRYPTION_KEY)


def _keys_by_id() -> dict[str, bytes]:
    keys = [_current_key()] + [
        _decode_key(value) for value in getattr(settings, "FIELD_ENCRYPTION_KEY_FALLBACKS", [])
    ]
    return {key_id(key): key for key in reversed(keys)}


def is_encrypted(value: str) -> bool:
    return value.startswith(f"{PREFIX}:") and value.count(":") == 2


def encrypted_with_current_key(value: str) -> bool:
    return is_encrypted(value) and value.split(":")[1] == key_id(_current_key())


def encrypt(plaintext: str, *, purpose: str) -> str:
    key = _current_key()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), purpose.encode())
    payload = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{PREFIX}:{key_id(key)}:{payload}"


def decrypt(value: str, *, purpose: str) -> str:
    if not is_encrypted(value):
        raise DecryptionError("Not an encrypted value.")
    _, kid, payload = value.split(":")
    key = _keys_by_id().get(kid)
    if key is None:
        raise DecryptionError(f"No configured key has id {kid}.")
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
    except (InvalidTag, ValueError, binascii.Error) as exc:
        raise DecryptionError("The value does not decrypt with its key.") from exc

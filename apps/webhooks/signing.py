"""Signing secrets and the ``Veza-Signature`` header (the scheme integrators know from Stripe).

``Veza-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``; while a rotated-out
secret is still valid (24 hours), a second ``v1=`` signed with it follows, so receivers that
still hold the old secret keep verifying. The timestamp lets receivers refuse replays.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from veza import crypto

SECRET_PREFIX = "whsec_"
_PURPOSE = "webhooks.signing_secret"


def secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_seal(secret: str) -> str:
    return crypto.encrypt(secret, purpose=_PURPOSE)


def secret_open(sealed: str) -> str:
    return crypto.decrypt(sealed, purpose=_PURPOSE)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(*, secrets_in_use: list[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"]
    parts += [f"v1={signature(secret=s, timestamp=timestamp, body=body)}" for s in secrets_in_use]
    return ",".join(parts)

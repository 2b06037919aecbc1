"""Chat tokens for the real-time chat server (shared/API.md, Messages: POST /chat/token).

Signed with ``CHAT_JWT_SECRET``, never with the API's key (changelog VEZA-SEC-010; deploy check
``veza.E001``), and with their own audience, so neither kind of token verifies as the other.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import jwt
from django.conf import settings
from django.utils import timezone

from apps.accounts.models import User

CHAT_AUDIENCE = "veza-chat"
CHAT_ISSUER = "veza-api"


def chat_token_issue(*, user: User, now: datetime | None = None) -> tuple[str, datetime]:
    now = now or timezone.now()
    expires_at = now + settings.CHAT_TOKEN_LIFETIME
    claims = {
        "sub": str(user.pk),
        "username": user.username,
        "role": user.role,
        "iss": CHAT_ISSUER,
        "aud": CHAT_AUDIENCE,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.CHAT_JWT_SECRET, algorithm="HS256"), expires_at


def chat_token_decode(token: str) -> dict:
    """What the chat server does (kept here for tests and tooling)."""
    return jwt.decode(
        token,
        settings.CHAT_JWT_SECRET,
        algorithms=["HS256"],
        audience=CHAT_AUDIENCE,
        issuer=CHAT_ISSUER,
    )

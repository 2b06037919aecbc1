"""Shared helpers of the webhook tests: verifying a signature as a receiver would."""

from __future__ import annotations

import hashlib
import hmac


def signatures(header: str) -> tuple[int, list[str]]:
    """``t`` and every ``v1`` of a ``Veza-Signature`` header."""
    timestamp, v1 = 0, []
    for part in header.split(","):
        key, _, value = part.partition("=")
        if key == "t":
            timestamp = int(value)
        elif key == "v1":
            v1.append(value)
    return timestamp, v1


def verifies(secret: str, header: str, body: bytes) -> bool:
    """What the README tells integrators to do: HMAC-SHA256 of ``"<t>.<body>"``."""
    timestamp, v1 = signatures(header)
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return any(hmac.compare_digest(expected.hexdigest(), value) for value in v1)

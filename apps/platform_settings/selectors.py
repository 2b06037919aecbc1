"""Reads of platform settings for server code: cached, no query on the hot path."""

from django.conf import settings

from apps.platform_settings import state


def flag_enabled(name: str) -> bool:
    """Is the feature flag ``name`` on? Unknown flags are off. Same caching as maintenance."""
    return bool(state.value(name, False))


def maintenance_status() -> dict:
    snapshot = state.current()
    return {
        "enabled": state.maintenance_enabled(),
        "message": str(snapshot.values.get("maintenance_message", "") or ""),
        "retry_after": int(snapshot.values.get("maintenance_retry_after") or 120),
    }


def public_flags() -> dict[str, bool]:
    """Every public flag, ``hls_streaming`` first (clients take their defaults from here).

    ``hls_streaming`` is always listed: if its row is missing the answer is the server's own
    default (``HLS_STREAMING``), never an absent key a client would fill with its own guess.
    """
    snapshot = state.current()
    flags = {"hls_streaming": bool(snapshot.values.get("hls_streaming", settings.HLS_STREAMING))}
    for name in sorted(snapshot.public_flags):
        flags.setdefault(name, bool(snapshot.values.get(name)))
    return flags

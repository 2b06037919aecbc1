"""The catalog's seam to platform settings (issue 3): feature flags and response-cache bumps.

Until ``apps.platform_settings`` provides them, the flag falls back to the ``HLS_STREAMING``
setting and there is no response cache to invalidate. Importing lazily keeps both apps
independent of merge order.
"""

from django.conf import settings

# Writes to these change what the cached public prefixes show.
TRACK_NAMESPACES = ("tracks", "search", "feed", "discover", "playlists", "users")


def flag_enabled(name: str) -> bool:
    try:
        from apps.platform_settings.selectors import flag_enabled as platform_flag_enabled
    except ImportError:
        return bool(getattr(settings, name.upper(), False))
    return platform_flag_enabled(name)


def response_cache_invalidate(*namespaces: str) -> None:
    try:
        from apps.platform_settings.services import (
            response_cache_invalidate as platform_invalidate,
        )
    except ImportError:
        return
    platform_invalidate(*namespaces)

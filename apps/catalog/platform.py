"""The catalog's seam to platform settings (issue 3): feature flags and response-cache bumps.

One module so catalog and streaming code (and their tests) call the platform through a single
name: ``platform.flag_enabled("hls_streaming")``, ``platform.response_cache_invalidate(...)``.
"""

from apps.platform_settings.selectors import flag_enabled
from veza.response_cache import response_cache_invalidate

# Writes to tracks change what these cached public prefixes show.
TRACK_NAMESPACES = ("tracks", "search", "feed", "discover", "playlists", "users")

__all__ = ["TRACK_NAMESPACES", "flag_enabled", "response_cache_invalidate"]

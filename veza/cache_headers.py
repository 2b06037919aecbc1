"""``Cache-Control`` by asset type, for answers whose view did not choose one."""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_vary_headers

YEAR = 365 * 24 * 3600
AUDIO_MAX_AGE = 7 * 24 * 3600
IMAGE_MAX_AGE = 30 * 24 * 3600
HLS_PLAYLIST_MAX_AGE = 60
HLS_PLAYLIST_TYPES = ("application/vnd.apple.mpegurl", "application/x-mpegurl", "audio/mpegurl")


def cache_control_for(path: str, content_type: str) -> str | None:
    """The Cache-Control a response gets when its view set none (README: "Cache headers")."""
    content_type = content_type.split(";")[0].strip().lower()
    if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return None  # whitenoise: hashed names one year immutable, others short
    if content_type in HLS_PLAYLIST_TYPES or path.endswith(".m3u8"):
        return f"public, max-age={HLS_PLAYLIST_MAX_AGE}"
    if content_type.startswith("audio/") or content_type == "video/mp2t":
        return f"public, max-age={AUDIO_MAX_AGE}"
    if content_type.startswith("image/"):
        return f"public, max-age={IMAGE_MAX_AGE}"
    if path.startswith("/api/"):
        return "no-cache"
    return None


class CacheHeadersMiddleware:
    """Sets ``Cache-Control`` by asset type when the view did not choose one itself.

    Media views decide themselves (a private track's audio is ``private``); everything under
    ``/api/`` that is JSON gets ``no-cache`` with ``Vary: Authorization, Cookie``. Error answers
    are never stored by anyone (``no-store``), whatever the path or the view said: a shared
    cache must not keep a 403 for a private track, nor serve it to the owner.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path_info
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400:
            response["Cache-Control"] = "no-store"
        elif not response.has_header("Cache-Control"):
            value = cache_control_for(path, content_type)
            if value:
                response["Cache-Control"] = value
        if path.startswith("/api/") and content_type.startswith("application/json"):
            patch_vary_headers(response, ("Authorization", "Cookie"))
        return response

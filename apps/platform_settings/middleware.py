"""Maintenance, the anonymous response cache and Cache-Control headers.

Order in ``MIDDLEWARE`` (outermost first): CacheHeaders → (whitenoise, static files) →
Maintenance → ResponseCache → … the views.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from apps.platform_settings import selectors, state
from apps.platform_settings.services import RESPONSE_CACHE_NAMESPACE_KEY
from veza.api.exceptions import error_json_response
from veza.shared_cache import guarded

logger = logging.getLogger(__name__)


# --- Maintenance -------------------------------------------------------------------------

MAINTENANCE_EXEMPT_PREFIXES = ("/api/v1/health", "/api/v1/admin/", "/admin/")


class MaintenanceMiddleware:
    """503 ``MAINTENANCE`` with ``Retry-After`` to everything but health and the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        exempt = path.startswith(MAINTENANCE_EXEMPT_PREFIXES) or path == "/api/v1/admin"
        if not exempt and state.maintenance_enabled():
            status = selectors.maintenance_status()
            response = error_json_response(503, "MAINTENANCE", status["message"] or "Maintenance.")
            response["Retry-After"] = str(status["retry_after"])
            return response
        return self.get_response(request)


# --- Response cache ----------------------------------------------------------------------

#: Request headers our cacheable responses may vary on (DRF varies on Accept).
_KEY_HEADERS = ("HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE")
_ALLOWED_VARY = {"accept", "accept-language", "authorization", "cookie"}
_MAX_BODY = 512 * 1024


def _rule_for(path: str) -> tuple[str, int] | None:
    for prefix, namespace, ttl in settings.RESPONSE_CACHE_RULES:
        if path.startswith(prefix):
            if any(part in path for part in settings.RESPONSE_CACHE_EXCLUDE):
                return None
            return namespace, ttl
    return None


#: Query parameters that carry a credential: a response they unlock depends on the token being
#: valid right now (it may expire or be revoked), so it is never stored.
_CREDENTIAL_PARAMS = frozenset({"share_token"})


def _is_anonymous(request) -> bool:
    """No credential of any kind: no Authorization, API key, cookie or share token."""
    meta = request.META
    if meta.get("HTTP_AUTHORIZATION") or meta.get("HTTP_X_API_KEY") or meta.get("HTTP_COOKIE"):
        return False
    return _CREDENTIAL_PARAMS.isdisjoint(request.GET.keys())


def _entry_key(request) -> str:
    """Keyed on scheme and host too: responses carry absolute links (``next``, ``url``) built
    from them, so a request with another allowed host must not be served another's links."""
    query = urlencode(sorted(parse_qsl(request.META.get("QUERY_STRING", ""), True)))
    parts = [
        request.scheme,
        request.get_host(),
        request.path_info,
        query,
        *(request.META.get(h, "") for h in _KEY_HEADERS),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"respcache:entry:{digest}"


def _cacheable_response(response) -> bool:
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return False
    vary = {h.strip().lower() for h in response.get("Vary", "").split(",") if h.strip()}
    return vary <= _ALLOWED_VARY and len(response.content) <= _MAX_BODY


class ResponseCacheMiddleware:
    """Caches anonymous, cookie-less GET/HEAD 200 JSON responses of public endpoints in Redis.

    One round trip per lookup: the entry and its namespace's version token are fetched with one
    MGET; an entry written under an older token (a write happened since) is a miss.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rule = _rule_for(request.path_info) if request.method in ("GET", "HEAD") else None
        if rule is None:
            return self.get_response(request)
        namespace, ttl = rule
        if not _is_anonymous(request):
            response = self.get_response(request)
            response["X-Cache"] = "MISS"
            return response

        entry_key = _entry_key(request)
        ns_key = RESPONSE_CACHE_NAMESPACE_KEY.format(namespace)
        found = guarded(lambda cache: cache.get_many([entry_key, ns_key]), None)
        ns_version = (found or {}).get(ns_key) or "0"
        entry = (found or {}).get(entry_key)
        if entry is not None and entry[0] == ns_version:
            response = pickle.loads(entry[1])  # noqa: S301  (written by _store below)
            response["X-Cache"] = "HIT"
            return response

        response = self.get_response(request)
        if found is not None and _cacheable_response(response):
            payload = (ns_version, pickle.dumps(_storable(response)))
            guarded(lambda cache: cache.set(entry_key, payload, timeout=ttl), None)
        response["X-Cache"] = "MISS"
        return response


def _storable(response) -> HttpResponse:
    copy = HttpResponse(
        response.content, status=response.status_code, content_type=response["Content-Type"]
    )
    for header, value in response.items():
        if header.lower() not in ("content-type", "x-cache", "set-cookie"):
            copy[header] = value
    return copy


# --- Cache-Control -----------------------------------------------------------------------

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

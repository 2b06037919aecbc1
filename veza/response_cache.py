"""The anonymous response cache: public GET answers kept in the shared cache (Redis).

Anonymous, credential-less GET/HEAD 200 JSON answers of the prefixes in
``settings.RESPONSE_CACHE_RULES`` are stored per namespace. A write that changes what a
namespace shows calls :func:`response_cache_invalidate`, which replaces the namespace's version
token once the transaction commits; entries stored under an older token are then misses.
Without ``REDIS_URL`` nothing is cached: a per-process cache could not be invalidated for the
other processes.
"""

from __future__ import annotations

import hashlib
import pickle
import uuid
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse

from veza.shared_cache import guarded

RESPONSE_CACHE_NAMESPACE_KEY = "respcache:ns:{}"


def _namespaces_bump(namespaces) -> None:
    tokens = {RESPONSE_CACHE_NAMESPACE_KEY.format(ns): uuid.uuid4().hex for ns in namespaces}
    guarded(lambda cache: cache.set_many(tokens, timeout=None), None)


def response_cache_invalidate(*namespaces: str) -> None:
    """Make cached anonymous responses of these namespaces stale, once the write commits.

    Namespaces: ``tracks``, ``search``, ``feed``, ``discover``, ``playlists``, ``users``,
    ``platform``, ``billing``, ``courses`` (see ``RESPONSE_CACHE_RULES`` in settings). Outside
    a transaction the bump happens at once.
    """
    if namespaces:
        transaction.on_commit(lambda: _namespaces_bump(namespaces))


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
        # Only a shared cache (Redis) can be invalidated for every process: in the in-process
        # fallback, a write would make only its own process's entries stale, and the other
        # gunicorn workers would serve the old answer until the TTL (README "Scaling out").
        shared = bool(settings.REDIS_URL)
        rule = (
            _rule_for(request.path_info) if shared and request.method in ("GET", "HEAD") else None
        )
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

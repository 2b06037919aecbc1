"""Rate limiting shared by every app.

- :func:`window_hit`: a fixed-window counter for per-key API limits. On Redis it is one
  ``EVALSHA`` round trip (``INCR`` + ``EXPIRE`` in a Lua script, atomic across every process);
  on the embedded in-process cache it uses the cache's locked ``incr`` (one machine).
- :func:`ip_limit_enforce` / :func:`usage_peek` / :func:`usage_hit`: per-IP and per-account
  limits of the auth endpoints, through django-ratelimit on the shared cache.
- :class:`RateLimitHeadersMiddleware`: writes ``X-RateLimit-*`` onto the response of a request
  that used an API-key bucket, whatever the response is (success, 403, 429, ...).

Contract: shared/API.md "API keys: scopes and rate limits" and Conventions (429 RATE_LIMITED
with Retry-After). If the cache is unreachable the limits fail open (logged): an outage of
Redis must not take logins down with it.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django_ratelimit.core import get_usage

from veza.api.exceptions import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

_LUA_INCR_EXPIRE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_script = None


class RateLimited(ApplicationError):
    status_code = 429
    code = ErrorCode.RATE_LIMITED
    message = "Too many requests. Try again later."


def rate_limited(retry_after: int, message: str | None = None) -> RateLimited:
    return RateLimited(message, headers={"Retry-After": str(max(1, int(retry_after)))})


def client_ip(request) -> str:
    """The client's IP: ``REMOTE_ADDR``, or the address ``NUM_PROXIES`` hops from the right of
    ``X-Forwarded-For`` when the app runs behind that many trusted proxies (as DRF does)."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104  (a key, not a bind)
    proxies = getattr(settings, "NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return remote


# --- Per-key fixed windows ---------------------------------------------------------------


@dataclass(frozen=True)
class WindowUsage:
    limit: int
    count: int
    reset_at: int  # Unix seconds when the window ends

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    def retry_after(self, now: float | None = None) -> int:
        return max(1, math.ceil(self.reset_at - (now if now is not None else time.time())))


def _redis_client():
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.startswith("django_redis."):
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def window_hit(*, key: str, limit: int, window: int, now: float | None = None) -> WindowUsage:
    """Count one request in ``key``'s current window; the count includes this request."""
    global _script
    now = time.time() if now is None else now
    start = int(now) - int(now) % window
    reset_at = start + window
    cache_key = f"rl:{key}:{start}"
    try:
        client = _redis_client()
        if client is not None:
            if _script is None:
                _script = client.register_script(_LUA_INCR_EXPIRE)
            count = int(_script(keys=[cache.make_key(cache_key)], args=[window + 5], client=client))
        else:
            cache.add(cache_key, 0, timeout=window + 5)
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.set(cache_key, 1, timeout=window + 5)
                count = 1
    except Exception:
        logger.exception("Rate-limit counter unavailable; failing open for %s", key)
        count = 0
    return WindowUsage(limit=limit, count=count, reset_at=reset_at)


# --- Auth endpoints (django-ratelimit) -----------------------------------------------------


def _usage(request, *, group: str, key, increment: bool) -> dict | None:
    try:
        return get_usage(
            request,
            group=group,
            key=key,
            rate=settings.RATE_LIMITS[group],
            increment=increment,
        )
    except Exception:
        logger.exception("Rate-limit cache unavailable; failing open for %s", group)
        return None


def _raise_if_limited(usage: dict | None) -> None:
    if usage and usage["should_limit"]:
        raise rate_limited(usage["time_left"])


def ip_limit_enforce(request, *, group: str) -> None:
    """Count this request against the client IP's ``group`` limit; 429 past it."""
    _raise_if_limited(_usage(request, group=group, key="ip", increment=True))


def _constant_key(value: str):
    return lambda group, request: value


def usage_peek(request, *, group: str, value: str) -> None:
    """429 if ``value`` (e.g. an account) is already past its ``group`` limit; counts nothing."""
    usage = _usage(request, group=group, key=_constant_key(value), increment=False)
    if usage and usage["count"] >= usage["limit"]:
        raise rate_limited(usage["time_left"])


def usage_hit(request, *, group: str, value: str) -> None:
    """Count one event (e.g. a failed login) against ``value``."""
    _usage(request, group=group, key=_constant_key(value), increment=True)


ACCOUNT_FAILURES_GROUP = "login_account_failures"


def account_failures_check(*, account: str) -> None:
    """429 once ``account`` (a normalised email, ``veza.normalization``) is past the
    failed-login limit.

    One bucket per account for every place that checks a password or a second factor: the API
    login, the admin login, the password change and 2FA disable, so none of them is a faster
    password oracle than the login itself.
    """
    usage_peek(None, group=ACCOUNT_FAILURES_GROUP, value=account)


def account_failure_record(*, account: str) -> None:
    usage_hit(None, group=ACCOUNT_FAILURES_GROUP, value=account)


# --- Response headers ----------------------------------------------------------------------

REQUEST_ATTRIBUTE = "veza_ratelimit"


class RateLimitHeadersMiddleware:
    """``X-RateLimit-Limit/Remaining/Reset`` for the bucket an API-key request used."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        usage: WindowUsage | None = getattr(request, REQUEST_ATTRIBUTE, None)
        if usage is not None:
            response["X-RateLimit-Limit"] = str(usage.limit)
            response["X-RateLimit-Remaining"] = str(usage.remaining)
            response["X-RateLimit-Reset"] = str(usage.reset_at)
        return response

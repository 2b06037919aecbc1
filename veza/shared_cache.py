"""Guarded access to the shared cache (Redis) for hot-path reads.

When Redis is down, callers get their default at once instead of waiting for a socket timeout
on every request: after a failure the guard stays open for ``COOL_DOWN`` seconds, and the
outage is logged once (and its end once), not per request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches

logger = logging.getLogger("veza.shared_cache")

T = TypeVar("T")

COOL_DOWN = 5.0

_lock = threading.Lock()
_down_until = 0.0
_outage_logged = False


def _cache():
    return caches["default"]


def guarded(operation: Callable[[object], T], default: T) -> T:
    """Run ``operation(cache)``; on any cache error answer ``default`` and back off."""
    global _down_until, _outage_logged
    if time.monotonic() < _down_until:
        return default
    try:
        result = operation(_cache())
    except Exception as exc:
        with _lock:
            _down_until = time.monotonic() + COOL_DOWN
            if not _outage_logged:
                _outage_logged = True
                logger.warning("Shared cache unavailable, serving without it: %s", exc)
        return default
    if _outage_logged:
        with _lock:
            if _outage_logged:
                _outage_logged = False
                logger.warning("Shared cache is back.")
    return result


def reset() -> None:
    """Forget a recorded outage (tests)."""
    global _down_until, _outage_logged
    with _lock:
        _down_until = 0.0
        _outage_logged = False

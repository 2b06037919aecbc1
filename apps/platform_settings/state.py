"""Each process's view of the platform settings: the database is the truth, Redis the signal.

How a flip reaches every process within a second (shared/API.md, Platform; changelog:
maintenance lived in one pod's memory):

- Each process holds a snapshot of all rows, loaded with one query.
- Every write stores a new random *version token* in the shared cache (Redis) after commit.
- A process compares its snapshot's token with the shared one at most every
  ``VERSION_POLL_SECONDS`` (0.25 s), so a request does at most one cheap Redis GET and most do
  none; a changed token triggers a reload from the database.
- Whatever Redis says, a snapshot older than ``MAINTENANCE_CACHE_TTL`` seconds is reloaded, so
  with Redis down every process still follows the database within that TTL.
- ``MAINTENANCE_MODE=true`` in the environment forces maintenance on for that process.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError

from veza.shared_cache import guarded

logger = logging.getLogger(__name__)

VERSION_KEY = "platform_settings:version"
VERSION_POLL_SECONDS = 0.25


@dataclass
class Snapshot:
    values: dict[str, object] = field(default_factory=dict)
    public_flags: list[str] = field(default_factory=list)
    version: str | None = None
    loaded_at: float = float("-inf")
    checked_at: float = float("-inf")


_lock = threading.Lock()
_snapshot = Snapshot()


def _load(version: str | None) -> Snapshot:
    from apps.platform_settings.models import PlatformSetting

    rows = PlatformSetting.objects.order_by("key").values_list(
        "key", "value_type", "value_bool", "value_text", "value_int", "is_public_flag"
    )
    values: dict[str, object] = {}
    public: list[str] = []
    for key, value_type, value_bool, value_text, value_int, is_public in rows:
        values[key] = {"bool": value_bool, "int": value_int}.get(value_type, value_text)
        if is_public:
            public.append(key)
    now = time.monotonic()
    return Snapshot(values, public, version, loaded_at=now, checked_at=now)


def _shared_version() -> str | None:
    return guarded(lambda cache: cache.get(VERSION_KEY), None)


def current() -> Snapshot:
    """The snapshot to answer this request with, refreshed when stale or signalled."""
    global _snapshot
    snapshot = _snapshot
    now = time.monotonic()
    ttl = settings.MAINTENANCE_CACHE_TTL
    expired = now - snapshot.loaded_at >= ttl
    if not expired and now - snapshot.checked_at < VERSION_POLL_SECONDS:
        return snapshot
    version = _shared_version()
    if not expired and version == snapshot.version:
        snapshot.checked_at = now
        return snapshot
    with _lock:
        if _snapshot is not snapshot:  # another thread refreshed meanwhile
            return _snapshot
        try:
            _snapshot = _load(version)
        except DatabaseError:
            logger.exception("Could not load platform settings; keeping the previous snapshot")
            snapshot.loaded_at = snapshot.checked_at = now
            return snapshot
        return _snapshot


def signal_change() -> None:
    """After a committed write: tell every process (new token) and refresh this one now."""
    global _snapshot
    token = uuid.uuid4().hex
    guarded(lambda cache: cache.set(VERSION_KEY, token, timeout=None), None)
    with _lock:
        _snapshot = _load(token)


def forget() -> None:
    """Drop the snapshot (tests, and after migrations)."""
    global _snapshot
    with _lock:
        _snapshot = Snapshot()


def value(key: str, default=None):
    return current().values.get(key, default)


def maintenance_enabled() -> bool:
    if settings.MAINTENANCE_MODE:
        return True
    return bool(value("maintenance_mode", False))

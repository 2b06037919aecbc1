"""Process-local cache of the track rows that media requests check, kept exact by a version.

``/stream`` is the hottest path of the platform (players fetch ranges every few seconds), and
loading the track row through the ORM was most of its cost. Each process keeps the rows it has
loaded, stamped with a shared version token read from Redis (one GET per request); every
committed track write bumps the token (``bump_on_commit``), so all processes reload at once: a
take-down answers 404 everywhere on the next request.

Without a shared cache (the embedded default) or while Redis is down, nothing is cached and
every request reads the database. ``MAX_AGE`` bounds staleness if a bump is ever lost.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.db import transaction

from veza.shared_cache import guarded

VERSION_KEY = "catalog:media:version"
MAX_ENTRIES = 10_000
MAX_AGE = 30.0

_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()


def _shared_version() -> str | None:
    if not settings.REDIS_URL:
        return None
    return guarded(lambda cache: cache.get(VERSION_KEY, "0"), None)


def get_or_load(key, loader):
    """The cached row for ``key`` or ``loader()`` (a shallow copy: callers may not share)."""
    version = _shared_version()
    if version is None:
        return loader()
    now = time.monotonic()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] == version and now - entry[1] < MAX_AGE:
            _entries.move_to_end(key)
            return copy.copy(entry[2])
    row = loader()
    with _lock:
        _entries[key] = (version, now, row)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return copy.copy(row)


def forget(key=None) -> None:
    with _lock:
        if key is None:
            _entries.clear()
        else:
            _entries.pop(key, None)


def bump() -> None:
    forget()
    guarded(lambda cache: cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None), None)


def bump_on_commit(key=None) -> None:
    """Call inside the write: this process forgets now, every process after the commit."""
    forget(key)
    transaction.on_commit(bump)

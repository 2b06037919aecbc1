"""Process-local copies of rows read on every request, kept exact by version tokens in Redis.

Some rows are read by nearly every request: the bearer's user (is the account active, which
session version do its tokens carry), the track a player fetches a range of. Reading them from
PostgreSQL each time was most of a ``/stream`` decision's cost. A :class:`VersionedRows` keeps,
in each process, the rows it has loaded, stamped with a *version token* that lives in Redis:

- a row-versioned cache (``per_row=True``) has one token per row (``<namespace>:<key>``); a
  table-versioned one (``per_row=False``) one token for all its rows
  (``<namespace>:version``): any write forgets them all;
- every committed write replaces the token (:meth:`VersionedRows.bump_on_commit`, called by
  the owning app from inside the write), so every process reloads on its next request; the
  writing process forgets its copy at once, before the commit;
- the tokens a request needs are read in **one** round trip: the first read of a request
  fetches, with ``MGET``, the asked token and the token of every table-versioned cache, and
  the request reuses them (a bearer ``/stream`` costs one Redis read and no SQL). Outside a
  request (Celery, commands) nothing is remembered between reads;
- a token missing in Redis (never written, evicted, Redis flushed) is never trusted: the
  reader creates a new one (``SET NX``) before reading the row, so the copy it keeps is at
  least as new as that token;
- without a shared cache (``REDIS_URL`` unset: the embedded default) or while Redis is down
  (``veza.shared_cache.guarded``), nothing is cached and every read goes to the database;
- ``max_age`` bounds how long a copy lives even if a bump was lost (a Redis write failing just
  after a commit).

Callers get a shallow copy (``copy.copy``): what a request caches on its instance (a related
object, a permission cache) or changes on it never reaches the next request.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import transaction

from veza.shared_cache import guarded

T = TypeVar("T")

#: Tokens are plain strings under this prefix, read and written with the Redis client itself
#: (``MGET``, ``SET``, ``SET NX``): no pickling, no cache-key building on the hot path.
REDIS_PREFIX = "veza:vtoken:"


def _redis(shared):
    """The redis-py client behind the shared cache (django-redis)."""
    return shared.client.get_client(write=True)


def token(key: str) -> str | None:
    """The token at ``key`` as Redis holds it now (operations, tests)."""
    value = guarded(lambda shared: _redis(shared).get(REDIS_PREFIX + key), None)
    return value.decode() if value is not None else None


def token_set(key: str, value: str | None) -> None:
    """Replace (or with ``None`` delete) the token at ``key``: what another process's bump or
    Redis's eviction does (operations, tests)."""
    if value is None:
        guarded(lambda shared: _redis(shared).delete(REDIS_PREFIX + key), None)
    else:
        guarded(lambda shared: _redis(shared).set(REDIS_PREFIX + key, value), None)


_MISSING = object()
_registry: list[VersionedRows] = []
_request = threading.local()  # .tokens: {redis key: token or None} while a request runs


def _request_begin(**kwargs) -> None:
    _request.tokens = {}


def _request_end(**kwargs) -> None:
    _request.tokens = None


request_started.connect(_request_begin, dispatch_uid="veza.versioned_cache.begin")
request_finished.connect(_request_end, dispatch_uid="veza.versioned_cache.end")


def _tokens(key: str) -> str | None:
    """The token at ``key`` (``None`` when absent or Redis is unusable), with, in a request,
    every table-versioned cache's token fetched in the same round trip and remembered."""
    remembered = getattr(_request, "tokens", None)
    if remembered is not None:
        token = remembered.get(key, _MISSING)
        if token is not _MISSING:
            return token
    keys = [key]
    if remembered is not None:
        keys += [
            cache.version_key
            for cache in _registry
            if not cache.per_row and cache.version_key not in remembered
        ]
    values = guarded(lambda shared: _redis(shared).mget([REDIS_PREFIX + k for k in keys]), None)
    if values is None:
        return None  # Redis unusable: nothing is trusted, nothing remembered
    found = dict(zip(keys, (v.decode() if v is not None else None for v in values), strict=True))
    if remembered is not None:
        remembered.update(found)
    return found[key]


def _remember_token(key: str, token: str) -> None:
    remembered = getattr(_request, "tokens", None)
    if remembered is not None:
        remembered[key] = token


def _forget_token(key: str) -> None:
    remembered = getattr(_request, "tokens", None)
    if remembered is not None:
        remembered.pop(key, None)


class VersionedRows:
    """Rows kept per process under a Redis version token (see the module's docstring)."""

    def __init__(
        self,
        namespace: str,
        *,
        per_row: bool,
        max_entries: int = 10_000,
        max_age: float = 30.0,
    ):
        self.namespace = namespace
        self.per_row = per_row
        self.version_key = f"{namespace}:version"
        self.max_entries = max_entries
        self.max_age = max_age
        self._lock = threading.Lock()
        self._entries: OrderedDict = OrderedDict()
        _registry.append(self)

    def _key(self, key: Hashable) -> str:
        return f"{self.namespace}:{key}" if self.per_row else self.version_key

    def get_or_load(self, key: Hashable, loader: Callable[[], T]) -> T:
        """A copy of the row kept for ``key``, or ``loader()``'s (an exception is not kept)."""
        if not settings.REDIS_URL:
            return loader()
        token_key = self._key(key)
        token = _tokens(token_key)
        if token is None:
            # Never written, evicted or flushed: an absent token is never trusted. Create one
            # (NX: a bump racing this keeps its own); if this process created it, a row read
            # from now on is current under it.
            token = uuid.uuid4().hex
            created = guarded(
                lambda shared: _redis(shared).set(REDIS_PREFIX + token_key, token, nx=True), None
            )
            if not created:
                return loader()
            _remember_token(token_key, token)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == token and now - entry[1] < self.max_age:
                self._entries.move_to_end(key)
                return copy.copy(entry[2])
        # The token was read before the row: a write committed in between bumps it again,
        # so a copy older than the database is never stamped with the newer token.
        row = loader()
        with self._lock:
            self._entries[key] = (token, now, row)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return copy.copy(row)

    def forget(self, key: Hashable = None) -> None:
        """Drop this process's copy of ``key`` (every copy for ``None``)."""
        with self._lock:
            if key is None or not self.per_row:
                self._entries.clear()
            else:
                self._entries.pop(key, None)

    def bump(self, key: Hashable = None) -> None:
        """Every process reloads ``key`` (every row of a table-versioned cache)."""
        self.forget(key)
        if self.per_row and key is None:
            return  # no token stands for every row: each one is bumped by its own write
        token_key = self._key(key)
        _forget_token(token_key)
        guarded(lambda shared: _redis(shared).set(REDIS_PREFIX + token_key, uuid.uuid4().hex), None)

    def bump_on_commit(self, key: Hashable = None) -> None:
        """Call inside the write: this process forgets now, every process after the commit."""
        self.forget(key)
        transaction.on_commit(lambda: self.bump(key))

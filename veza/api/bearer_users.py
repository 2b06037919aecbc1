"""The bearer's user row, kept per process under a version token per user.

Every bearer request needs its user row: is the account still active, does the token carry the
account's current session version (a password change or reset raises it and ends every older
token). Reading it from PostgreSQL was a database round trip on every request; it is now a
:class:`veza.versioned_cache.VersionedRows` with one Redis token per user, read in the same
round trip as the other tokens a request needs.

The user model's app reports every committed change of a user row (``users_changed``): a save,
a delete, and a queryset ``update()`` (the session-version increment, a deactivation, the last
login). Until a process sees the new token, it keeps the copy it had: at most until the writing
transaction's commit reaches Redis, and never longer than ``MAX_AGE`` should that write be lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from veza.versioned_cache import VersionedRows

#: Seconds a copy may be used at most, bump or no bump: the bound on a lost bump.
MAX_AGE = 10.0

_users = VersionedRows("auth:user", per_row=True, max_age=MAX_AGE)


def bearer_user_get(user_id: Any, loader: Callable[[], Any]):
    """The user ``user_id`` from this process's copy, or ``loader()``'s."""
    return _users.get_or_load(str(user_id), loader)


def users_changed(pks: Iterable[Any]) -> None:
    """Call inside the write of these user rows: their copies go now here, elsewhere on
    commit."""
    for pk in pks:
        _users.bump_on_commit(str(pk))


def forget_all() -> None:
    """Drop every copy this process holds (tests)."""
    _users.forget()

"""Process-local cache of the track rows that media requests check, kept exact by a version.

``/stream`` is the hottest path of the platform (players fetch ranges every few seconds), and
loading the track row through the ORM was most of its cost. Each process keeps the rows it has
loaded under one shared version token (``veza.versioned_cache``, table-versioned: read in the
same round trip as the bearer's user token); every committed track write bumps it
(``bump_on_commit``), so all processes reload at once: a take-down answers 404 everywhere on
the next request.

Without a shared cache (the embedded default) or while Redis is down, nothing is cached and
every request reads the database. ``max_age`` (30 s) bounds staleness if a bump is ever lost.
"""

from __future__ import annotations

from veza.versioned_cache import VersionedRows

_rows = VersionedRows("catalog:media", per_row=False, max_age=30.0)

VERSION_KEY = _rows.version_key
get_or_load = _rows.get_or_load
forget = _rows.forget
bump = _rows.bump
bump_on_commit = _rows.bump_on_commit

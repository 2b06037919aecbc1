"""What an exporter is: one file of the archive, its plain-language description, its rows.

An exporter reads one domain's data about one user up to the archive's cut-off time and yields
plain dicts (one JSON line each). Rows must come from ``.iterator(chunk_size=...)`` or
``.values()`` iterators so that memory stays flat whatever the user's history. Another person
appears only as ``{"id", "display_name"}`` (:func:`person`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apps.messaging.selectors import user_display_name

#: Rows read from the database per round trip.
CHUNK_SIZE = 2000

Rows = Callable[[Any, datetime], Iterator[dict]]
#: ``(path inside the archive, name in default storage)`` of files to copy as they are.
Media = Callable[[Any, datetime], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Exporter:
    filename: str
    description: str
    rows: Rows
    media: Media | None = None


def person(user) -> dict:
    """Someone other than the archive's owner: their id and public name, nothing else."""
    return {"id": str(user.pk), "display_name": user_display_name(user)}

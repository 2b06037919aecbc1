"""Per-track table: every track of the creator with its plays in the range."""

from __future__ import annotations

from apps.analytics.selectors.common import Range, Stats, snapshot
from apps.catalog.models import Track

# ?ordering= whitelist; anything else falls back to -created_at (shared/API.md, Conventions).
TRACK_ORDERINGS = ("plays", "listening_seconds", "title", "created_at")
DEFAULT_TRACK_ORDERING = "-plays"


def _sort_key(field: str):
    if field == "title":
        return lambda row: row["title"].casefold()
    return lambda row: row[field]


def tracks_table(*, creator, range_: Range, ordering: str = DEFAULT_TRACK_ORDERING) -> dict:
    with snapshot(creator=creator, start=range_.start, end=range_.end) as snap:
        per_track = snap.per_track(range_.start, range_.end)
    total = sum(stats.plays for stats in per_track.values())
    rows = []
    for track_id, title, created_at in (
        Track.objects.filter(owner=creator).order_by().values_list("pk", "title", "created_at")
    ):
        stats = per_track.get(track_id, Stats())
        rows.append(
            {
                "track": track_id,
                "title": title,
                "created_at": created_at,
                "plays": stats.plays,
                "listening_seconds": stats.listening_seconds,
                "share_of_plays": round(stats.plays / total, 4) if total else 0.0,
            }
        )
    descending = ordering.startswith("-")
    field = ordering.removeprefix("-")
    if field not in TRACK_ORDERINGS:
        field, descending = "created_at", True
    # Stable sorts: ties keep a fixed order (the id), so pages never overlap.
    rows.sort(key=lambda row: str(row["track"]))
    rows.sort(key=_sort_key(field), reverse=descending)
    return {"data_through": snap.now, "plays": total, "results": rows}

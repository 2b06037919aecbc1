"""Where plays come from: per source (active vs programmed) and per country."""

from __future__ import annotations

from django_countries import countries

from apps.analytics.definitions import ACTIVE_SOURCES, source_class
from apps.analytics.selectors.common import Range, Stats, snapshot
from apps.streaming.models import PlaySource


def _row(stats: Stats) -> dict:
    return {
        "plays": stats.plays,
        "listeners": stats.listeners,
        "listening_seconds": stats.listening_seconds,
    }


def discovery(*, creator, range_: Range) -> dict:
    with snapshot(creator=creator, start=range_.start, end=range_.end) as snap:
        per_source = snap.grouped(range_.start, range_.end, by="source")
        per_class = snap.grouped(range_.start, range_.end, by="class")
    return {
        "data_through": snap.now,
        "active_sources": [str(source) for source in ACTIVE_SOURCES],
        "classes": [
            {"class": name, **_row(per_class.get(name, Stats()))}
            for name in ("active", "programmed")
        ],
        "sources": [
            {
                "source": source,
                "class": source_class(source),
                **_row(per_source.get(source, Stats())),
            }
            for source in PlaySource.values
        ],
    }


def geographic(*, creator, range_: Range) -> dict:
    with snapshot(creator=creator, start=range_.start, end=range_.end) as snap:
        per_country = snap.grouped(range_.start, range_.end, by="country")
    total = sum(stats.plays for stats in per_country.values())
    unknown = per_country.get("", Stats())
    rows = sorted(
        (
            {"country": code or None, "name": countries.name(code) if code else "", **_row(stats)}
            for code, stats in per_country.items()
            if stats.plays or stats.listening_seconds
        ),
        key=lambda row: (-row["plays"], row["country"] or "~"),
    )
    return {
        "data_through": snap.now,
        "plays": total,
        "unknown_share": round(unknown.plays / total, 4) if total else 0.0,
        "countries": rows,
    }

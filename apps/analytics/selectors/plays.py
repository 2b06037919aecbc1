"""Plays over time: a zero-filled series by hour, day, week or month in the caller's zone."""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, datetime, time, timedelta

from apps.analytics.selectors.common import Range, Stats, buckets, snapshot
from apps.catalog.models import Track
from veza.api.exceptions import NotFound

GRANULARITIES = ("hour", "day", "week", "month")


def period_start(moment: datetime, *, granularity: str, tz) -> datetime:
    """The UTC instant at which the local hour/day/week (Monday)/month holding ``moment``
    starts. Keys are instants, not wall-clock times: the hour repeated when clocks go back is
    two periods, and the day clocks go forward is one 23-hour period."""
    local = moment.astimezone(tz)
    if granularity == "hour":
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    day = local.date()
    if granularity == "week":
        day -= timedelta(days=day.weekday())
    elif granularity == "month":
        day = day.replace(day=1)
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def periods(range_: Range, granularity: str) -> list[datetime]:
    """Every period touching the range, in order (the zero-filled skeleton)."""
    if granularity == "hour":
        moments = buckets(range_.start, range_.end)
    else:
        moments = (
            datetime.combine(range_.first + timedelta(days=n), time(12), tzinfo=range_.tz)
            for n in range(range_.days)
        )
    keys: dict[datetime, None] = {}
    for moment in moments:
        keys.setdefault(period_start(moment, granularity=granularity, tz=range_.tz), None)
    return list(keys)


def plays_series(*, creator, range_: Range, granularity: str, track_id=None) -> dict:
    """All the creator's plays, or one track's (another creator's track is 404)."""
    if track_id is not None and not Track.objects.filter(owner=creator, pk=track_id).exists():
        raise NotFound()
    with snapshot(creator=creator, start=range_.start, end=range_.end) as snap:
        per_bucket = snap.per_bucket(range_.start, range_.end, track_id=track_id)
    starts = periods(range_, granularity)
    totals = [Stats() for _ in starts]
    for bucket, stats in per_bucket.items():
        # Periods are contiguous and sorted: the one holding a bucket is found by bisection,
        # not by converting every bucket to local time.
        period = totals[bisect_right(starts, bucket) - 1]
        period.plays += stats.plays
        period.listening_seconds += stats.listening_seconds
    series = [
        {
            "period": key.astimezone(range_.tz).isoformat(),
            "plays": total.plays,
            "listening_seconds": total.listening_seconds,
        }
        for key, total in zip(starts, totals, strict=True)
    ]
    return {
        "track": track_id,
        "granularity": granularity,
        "data_through": snap.now,
        "plays": sum(item["plays"] for item in series),
        "listening_seconds": sum(item["listening_seconds"] for item in series),
        "series": series,
    }

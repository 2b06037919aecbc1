"""The overview: totals of the range against the previous period of the same length."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from apps.analytics.selectors.common import Range, snapshot
from apps.analytics.selectors.sales import money, sales_lines
from apps.catalog.models import Follow, Track

TOP_TRACKS = 5


def _change(current, previous) -> dict:
    percent = None if not previous else round((current - previous) * 100 / previous, 1)
    return {"current": current, "previous": previous, "change_percent": percent}


def dashboard(*, creator, range_: Range) -> dict:
    before = range_.previous()
    with snapshot(creator=creator, start=before.start, end=range_.end) as snap:
        now = snap.total(range_.start, range_.end)
        then = snap.total(before.start, before.end)
        per_track = snap.per_track(range_.start, range_.end)
    followers = Follow.objects.filter(
        followee=creator, created_at__gte=before.start, created_at__lt=range_.end
    ).aggregate(
        current=Count("pk", filter=Q(created_at__gte=range_.start)),
        previous=Count("pk", filter=Q(created_at__lt=range_.start)),
    )
    revenue: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for lines in sales_lines(creator=creator, start=before.start, end=range_.end).values():
        for line in lines:
            revenue[line.currency][0 if line.at >= range_.start else 1] += line.amount
    top = sorted(
        ((track_id, stats) for track_id, stats in per_track.items() if stats.plays),
        key=lambda item: (-item[1].plays, -item[1].listening_seconds, str(item[0])),
    )[:TOP_TRACKS]
    titles = dict(
        Track.objects.filter(owner=creator, pk__in=[track_id for track_id, _ in top]).values_list(
            "pk", "title"
        )
    )
    return {
        "data_through": snap.now,
        "previous_from": before.first,
        "previous_to": before.last,
        "plays": _change(now.plays, then.plays),
        "listeners": _change(now.listeners, then.listeners),
        "listening_seconds": _change(now.listening_seconds, then.listening_seconds),
        "followers_gained": _change(followers["current"], followers["previous"]),
        "revenue": [
            {
                "currency": currency,
                "current": money(current),
                "previous": money(previous),
                "change_percent": _change(current, previous)["change_percent"],
            }
            for currency, (current, previous) in sorted(revenue.items())
        ],
        "top_tracks": [
            {
                "track": track_id,
                "title": titles.get(track_id, ""),
                "plays": stats.plays,
                "listening_seconds": stats.listening_seconds,
            }
            for track_id, stats in top
        ],
    }

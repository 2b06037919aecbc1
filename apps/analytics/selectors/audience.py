"""Who listens: unique listeners, new vs returning, rolling 28 days, listener segments."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum

from apps.analytics.models import ListenerRollup
from apps.analytics.selectors.common import Range, snapshot

# Plays of one listener over the range: light 1-2, moderate 3-9, super 10 and more.
MODERATE_FROM = 3
SUPER_FROM = 10


def segment(plays: int) -> str:
    if plays >= SUPER_FROM:
        return "super"
    return "moderate" if plays >= MODERATE_FROM else "light"


def audience(*, creator, range_: Range) -> dict:
    rolling = range_.rolling()
    load_from = min(range_.start, rolling.start)
    with snapshot(creator=creator, start=load_from, end=range_.end) as snap:
        listeners = snap.total(range_.start, range_.end).listeners
        rolling_listeners = snap.total(rolling.start, rolling.end).listeners
        in_range = ListenerRollup.objects.filter(
            creator=creator, bucket__gte=range_.start, bucket__lt=range_.end
        ).order_by()
        returning = (
            ListenerRollup.objects.filter(
                creator=creator,
                plays__gt=0,
                bucket__lt=range_.start,
                listener__in=in_range.filter(plays__gt=0).values("listener"),
            )
            .order_by()
            .values("listener")
            .distinct()
            .count()
        )
        per_listener = in_range.values("listener").annotate(n=Sum("plays")).filter(n__gt=0)
        segments = per_listener.aggregate(
            light=Count("listener", filter=Q(n__lt=MODERATE_FROM)),
            moderate=Count("listener", filter=Q(n__gte=MODERATE_FROM, n__lt=SUPER_FROM)),
            super=Count("listener", filter=Q(n__gte=SUPER_FROM)),
        )
        # The tail's listeners move between figures: recount them from rollups + tail.
        tail_plays: dict[int, int] = defaultdict(int)
        tail_before: set[int] = set()
        for fact in snap.tail:
            if not fact.plays:
                continue
            if range_.start <= fact.bucket < range_.end:
                tail_plays[fact.listener] += fact.plays
            elif fact.bucket < range_.start:
                tail_before.add(fact.listener)
        if tail_plays:
            rolled = snap.listener_plays(range_.start, range_.end)
            first = snap.first_plays(listeners=set(tail_plays) | tail_before, before=range_.start)
            for listener, plays in tail_plays.items():
                old = rolled.get(listener, 0)
                if old:
                    segments[segment(old)] -= 1
                segments[segment(old + plays)] += 1
                was_returning = bool(old) and listener in first
                is_returning = listener in first or listener in tail_before
                returning += int(is_returning) - int(was_returning)
    return {
        "data_through": snap.now,
        "listeners": listeners,
        "new_listeners": listeners - returning,
        "returning_listeners": returning,
        "rolling_28_day_listeners": rolling_listeners,
        "rolling_from": rolling.first,
        "rolling_to": rolling.last,
        "segments": {name: segments[name] for name in ("super", "moderate", "light")},
    }

"""Live sessions: the creator's own sessions, and the viewer figures of one session."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from apps.analytics.models import LiveSession, LiveViewerEvent, ViewerEventKind
from veza.api.exceptions import NotFound

SERIES_MAX_POINTS = 360
SERIES_STEPS = (60, 300, 900, 3600, 6 * 3600, 86400)


def live_sessions_of(*, creator) -> QuerySet[LiveSession]:
    return LiveSession.objects.filter(creator=creator).order_by("-scheduled_start", "-id")


def live_session_owned(*, creator, session_id) -> LiveSession:
    """The caller's session; anyone else's, or none, is 404 (never "forbidden": a stream id
    must not confirm that another creator's session exists)."""
    session = LiveSession.objects.filter(creator=creator, pk=session_id).first()
    if session is None:
        raise NotFound()
    return session


def _intervals(events, *, until: datetime) -> dict[str, list[tuple[datetime, datetime]]]:
    """Each viewer's watching intervals. A join while already watching is ignored; a leave
    without a join is ignored; a viewer still watching is counted up to ``until``."""
    open_since: dict[str, datetime] = {}
    watched: dict[str, list[tuple[datetime, datetime]]] = {}
    for viewer, kind, at in events:
        watched.setdefault(viewer, [])
        if kind == ViewerEventKind.JOIN:
            open_since.setdefault(viewer, at)
        elif viewer in open_since:
            watched[viewer].append((open_since.pop(viewer), at))
    for viewer, since in open_since.items():
        watched[viewer].append((since, max(since, until)))
    return watched


def live_stats(*, session: LiveSession, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    events = list(
        LiveViewerEvent.objects.filter(session=session)
        .order_by("at", "id")
        .values_list("viewer", "kind", "at")
    )
    until = session.ended_at or now
    watched = _intervals(events, until=until)
    changes: list[tuple[datetime, int]] = []
    total_seconds = 0.0
    for intervals in watched.values():
        for start, end in intervals:
            total_seconds += (end - start).total_seconds()
            changes.append((start, 1))
            changes.append((end, -1))
    # Leaves sort before joins at the same instant: a viewer who reconnects is one viewer.
    changes.sort(key=lambda change: (change[0], change[1]))
    peak = current = 0
    peak_at = None
    for at, delta in changes:
        current += delta
        if current > peak:
            peak, peak_at = current, at
    viewers = sum(1 for intervals in watched.values() if intervals)
    first = events[0][2] if events else session.scheduled_start
    last = max((end for intervals in watched.values() for _, end in intervals), default=first)
    return {
        "id": session.pk,
        "title": session.title,
        "scheduled_start": session.scheduled_start,
        "ended_at": session.ended_at,
        "is_live": session.ended_at is None and bool(events),
        "peak_concurrent_viewers": peak,
        "peak_at": peak_at,
        "total_viewers": viewers,
        "average_watch_seconds": round(total_seconds / viewers, 1) if viewers else 0.0,
        "series": _series(changes, start=first, end=last),
    }


def _series(changes, *, start: datetime, end: datetime) -> dict:
    """Viewers watching at each step from the first event to the last (at most
    :data:`SERIES_MAX_POINTS` points; the step grows with the session's length)."""
    span = max((end - start).total_seconds(), 0)
    step = next((s for s in SERIES_STEPS if span / s <= SERIES_MAX_POINTS), SERIES_STEPS[-1])
    points = []
    index = current = 0
    moment = start
    while moment <= end and len(points) <= SERIES_MAX_POINTS:
        while index < len(changes) and changes[index][0] <= moment:
            current += changes[index][1]
            index += 1
        points.append({"at": moment, "viewers": current})
        moment += timedelta(seconds=step)
    return {"step_seconds": step, "points": points}

"""Live sessions: a creator schedules one; the streaming server reports its viewers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.analytics.models import LiveSession, LiveViewerEvent
from veza.audit import RequestMeta, audit_record


@transaction.atomic
def live_session_create(
    *, creator, title: str, scheduled_start: datetime, meta: RequestMeta | None = None
) -> LiveSession:
    session = LiveSession.objects.create(
        creator=creator, title=title, scheduled_start=scheduled_start, created_at=timezone.now()
    )
    audit_record(
        action="analytics.live_session_create",
        actor=creator,
        target=session,
        meta=meta,
        metadata={"title": title, "scheduled_start": scheduled_start.isoformat()},
    )
    return session


@transaction.atomic
def live_viewer_events_record(
    *, session: LiveSession, events: Iterable[dict], ended_at: datetime | None = None
) -> int:
    """Store a batch of joins and leaves; a batch sent again stores nothing new (the unique
    key). ``ended_at`` closes the session: viewers still watching stop counting there.
    Returns the number of events the batch held."""
    rows = [
        LiveViewerEvent(session=session, viewer=e["viewer"], kind=e["kind"], at=e["at"])
        for e in events
    ]
    LiveViewerEvent.objects.bulk_create(rows, ignore_conflicts=True)
    if ended_at is not None:
        LiveSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=ended_at)
    return len(rows)

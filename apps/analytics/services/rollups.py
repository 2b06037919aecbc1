"""The rollup job: counted playback events condensed into quarter-hour rollups.

Incremental and idempotent. A high-water mark (:class:`RollupState`) says which events are in
the rollups; each run takes the next events above it, and recomputes the buckets they touch
from the raw rows (delete, then insert the totals), instead of adding increments. Running twice,
or rebuilding a range, therefore gives the same rows. The state row is locked for the run, so two
workers never roll the same events.

Only events older than :data:`ROLLUP_LAG` are taken: a play whose transaction is still open has
an id below newer, already committed ones, and taking the newer ones would leave it behind the
mark for good. Endpoints read events above the mark raw, so nothing waits for the job to be
counted.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.analytics.definitions import (
    BUCKET,
    EVENT_COLUMNS,
    Fact,
    bucket_of,
    fact_from_row,
    listener_key,
)
from apps.analytics.models import (
    CreatorRollup,
    DailyListenerRollup,
    DailyTrackRollup,
    ListenerRollup,
    PlayRollup,
    RollupState,
)
from apps.analytics.selectors.common import STATE_NAME
from apps.streaming.models import PlayEvent
from veza.audit import RequestMeta, audit_record

logger = logging.getLogger(__name__)

ROLLUP_LAG = timedelta(seconds=30)
BATCH_EVENTS = 50_000
INSERT_BATCH = 5_000
RUNS_PER_QUERY = 200
ROLLUPS = (PlayRollup, ListenerRollup, CreatorRollup)


def rollup_state_locked() -> RollupState:
    RollupState.objects.get_or_create(job=STATE_NAME)
    return RollupState.objects.select_for_update().get(job=STATE_NAME)


def _cells(
    facts: Iterable[Fact],
) -> tuple[list[PlayRollup], list[ListenerRollup], list[CreatorRollup]]:
    plays: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    listeners: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for fact in facts:
        cell = totals[(fact.creator_id, fact.bucket)]
        cell[0] += fact.plays
        cell[1] += fact.seconds
        cell = plays[(fact.creator_id, fact.track_id, fact.bucket, fact.source, fact.country)]
        cell[0] += fact.plays
        cell[1] += fact.seconds
        cell = listeners[(fact.creator_id, fact.bucket, fact.listener, fact.source, fact.country)]
        cell[0] += fact.plays
        cell[1] += fact.seconds
    return (
        [
            PlayRollup(
                creator_id=creator_id,
                track_id=track_id,
                bucket=bucket,
                source=source,
                country=country,
                plays=n,
                listening_seconds=seconds,
            )
            for (creator_id, track_id, bucket, source, country), (n, seconds) in plays.items()
        ],
        [
            ListenerRollup(
                creator_id=creator_id,
                bucket=bucket,
                listener=listener,
                source=source,
                country=country,
                plays=n,
                listening_seconds=seconds,
            )
            for (creator_id, bucket, listener, source, country), (n, seconds) in listeners.items()
        ],
        [
            CreatorRollup(creator_id=creator_id, bucket=bucket, plays=n, listening_seconds=seconds)
            for (creator_id, bucket), (n, seconds) in totals.items()
        ],
    )


def _runs(buckets: Iterable[datetime]) -> list[tuple[datetime, datetime]]:
    """Bucket starts merged into contiguous ``[start, end)`` runs."""
    runs: list[tuple[datetime, datetime]] = []
    for bucket in sorted(buckets):
        if runs and runs[-1][1] == bucket:
            runs[-1] = (runs[-1][0], bucket + BUCKET)
        else:
            runs.append((bucket, bucket + BUCKET))
    return runs


def _recompute(*, runs: list[tuple[datetime, datetime]], through_id: int, creator_id=None) -> int:
    """Replace the rollups of the bucket-aligned ``runs`` by the totals of the counted events
    up to ``through_id``; for one creator, or all when ``creator_id`` is None. Returns the
    number of events read."""
    scope = {} if creator_id is None else {"creator_id": creator_id}
    read = 0
    for first in range(0, len(runs), RUNS_PER_QUERY):
        events_in, buckets_in = Q(), Q()
        for start, end in runs[first : first + RUNS_PER_QUERY]:
            events_in |= Q(created_at__gte=start, created_at__lt=end)
            buckets_in |= Q(bucket__gte=start, bucket__lt=end)
        events = PlayEvent.objects.filter(events_in, **scope, counted=True, id__lte=through_id)
        facts = [
            fact_from_row(row)
            for row in events.order_by().values_list(*EVENT_COLUMNS).iterator(10_000)
        ]
        for model, rows in zip(ROLLUPS, _cells(facts), strict=True):
            model.objects.filter(buckets_in, **scope).delete()
            model.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        read += len(facts)
    days = {
        (start + timedelta(days=n)).date()
        for start, end in runs
        for n in range((end - timedelta(microseconds=1) - start).days + 1)
    }
    _recompute_days(days=sorted(days), creator_id=creator_id)
    return read


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _recompute_days(*, days: list[date], creator_id=None) -> None:
    """Rebuild the daily tables of ``days`` (UTC) from the quarter-hour rollups."""
    scope = {} if creator_id is None else {"creator_id": creator_id}
    for first in range(0, len(days), RUNS_PER_QUERY):
        chunk = days[first : first + RUNS_PER_QUERY]
        in_days = Q()
        for day in chunk:
            in_days |= Q(bucket__gte=_midnight(day), bucket__lt=_midnight(day + timedelta(days=1)))
        day_of = TruncDate("bucket", tzinfo=UTC)
        tracks = (
            PlayRollup.objects.filter(in_days, **scope)
            .annotate(day=day_of)
            .values("creator_id", "track_id", "day")
            .annotate(n=Sum("plays"), seconds=Sum("listening_seconds"))
            .order_by()
        )
        listeners = (
            ListenerRollup.objects.filter(in_days, **scope)
            .annotate(day=day_of)
            .values("creator_id", "listener", "day")
            .annotate(n=Sum("plays"), seconds=Sum("listening_seconds"))
            .order_by()
        )
        track_rows = [
            DailyTrackRollup(
                creator_id=row["creator_id"],
                track_id=row["track_id"],
                day=row["day"],
                plays=row["n"],
                listening_seconds=row["seconds"],
            )
            for row in tracks
        ]
        listener_rows = [
            DailyListenerRollup(
                creator_id=row["creator_id"],
                listener=row["listener"],
                day=row["day"],
                plays=row["n"],
                listening_seconds=row["seconds"],
            )
            for row in listeners
        ]
        DailyTrackRollup.objects.filter(**scope, day__in=chunk).delete()
        DailyListenerRollup.objects.filter(**scope, day__in=chunk).delete()
        DailyTrackRollup.objects.bulk_create(track_rows, batch_size=INSERT_BATCH)
        DailyListenerRollup.objects.bulk_create(listener_rows, batch_size=INSERT_BATCH)


def _advance_once(*, now: datetime) -> int | None:
    """Roll the next batch of events above the mark; the number of events taken, or None when
    there was nothing to take. Only the buckets the batch touches are recomputed, so a late
    event with an old timestamp costs its own bucket, not the range up to it."""
    with transaction.atomic():
        state = rollup_state_locked()
        batch = PlayEvent.objects.filter(
            id__gt=state.last_event_id, created_at__lt=now - ROLLUP_LAG
        ).order_by("id")[:BATCH_EVENTS]
        through_id = batch.aggregate(through=Max("id"))["through"]
        if through_id is None:
            return None
        new = PlayEvent.objects.filter(
            id__gt=state.last_event_id, id__lte=through_id, counted=True
        ).order_by()
        touched: dict[object, set[datetime]] = defaultdict(set)
        for creator_id, created_at in new.values_list("creator_id", "created_at").iterator(10_000):
            touched[creator_id].add(bucket_of(created_at))
        for creator_id, buckets in touched.items():
            _recompute(creator_id=creator_id, runs=_runs(buckets), through_id=through_id)
        taken = through_id - state.last_event_id
        state.last_event_id = through_id
        state.updated_at = now
        state.save(update_fields=["last_event_id", "updated_at"])
        return taken


def rollup_advance(*, now: datetime | None = None, max_batches: int = 20) -> int:
    """Move the mark over every event older than :data:`ROLLUP_LAG` (at most ``max_batches``
    batches per run, so one run stays short; the next beat continues). Returns the width of
    id range taken."""
    now = now or timezone.now()
    taken = 0
    for _ in range(max_batches):
        step = _advance_once(now=now)
        if step is None:
            break
        taken += step
    return taken


@transaction.atomic
def rollup_rebuild(
    *, start: datetime, end: datetime, actor=None, meta: RequestMeta | None = None
) -> int:
    """Recompute every creator's rollups of ``[start, end)`` (widened to whole buckets) from the
    raw events under the mark: the repair when rows were changed behind the job's back.
    Returns the number of counted events read; audited."""
    state = rollup_state_locked()
    start, end = bucket_of(start), bucket_of(end - timedelta(microseconds=1)) + BUCKET
    events = _recompute(runs=[(start, end)], through_id=state.last_event_id)
    audit_record(
        action="analytics.rollup_rebuild",
        actor=actor,
        target=state,
        meta=meta,
        metadata={"start": start.isoformat(), "end": end.isoformat(), "events": events},
    )
    logger.info("Rollups of %s..%s rebuilt from %s events", start, end, events)
    return events


@transaction.atomic
def listener_forget(*, user_id) -> int:
    """A deleted account stops being recognisable in the listener rollups: its key (a hash of
    the account id) is replaced by a random one, in the quarter-hour and the daily tables alike.
    Creators' unique-listener counts stay exact; nothing links the rows to the account any
    more. Idempotent: a second run finds no row with the old key."""
    old = listener_key(listener_id=user_id, session_id="", event_id=0)
    new = int.from_bytes(secrets.token_bytes(8), "big", signed=True)
    changed = ListenerRollup.objects.filter(listener=old).update(listener=new)
    changed += DailyListenerRollup.objects.filter(listener=old).update(listener=new)
    return changed

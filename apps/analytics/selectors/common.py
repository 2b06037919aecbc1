"""The analytics query engine: one creator's rollups plus the not-yet-rolled tail.

Every dashboard reads through a :class:`Snapshot`. It opens one read-only transaction (REPEATABLE
READ on PostgreSQL, so the mark, the rollups and the tail are one consistent picture even while
the rollup job commits), reads the high-water mark, then the counted events above it (the tail,
usually the last few minutes) once. Each figure is then one SQL aggregate over the rollups plus
the same figure computed in Python over the tail with the same definitions
(:mod:`apps.analytics.definitions`). The number of queries depends on neither the number of
tracks nor the length of the range.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Case, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.analytics.definitions import (
    ACTIVE_SOURCES,
    BUCKET,
    EVENT_COLUMNS,
    Fact,
    fact_from_row,
    source_class,
)
from apps.analytics.models import (
    CreatorRollup,
    DailyListenerRollup,
    DailyTrackRollup,
    ListenerRollup,
    PlayRollup,
    RollupState,
)
from apps.streaming.models import PlayEvent

ROLLING_LISTENERS_DAYS = 28
STATE_NAME = "plays"  # the rollup job's RollupState row


@dataclass(frozen=True)
class Range:
    """A local date range ``[first, last]`` (both included) in a time zone."""

    first: date
    last: date
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=self.tz).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=self.tz).astimezone(
            UTC
        )

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Range:
        """The period of the same number of days just before this one."""
        return Range(
            first=self.first - timedelta(days=self.days),
            last=self.first - timedelta(days=1),
            tz=self.tz,
        )

    def rolling(self) -> Range:
        """The :data:`ROLLING_LISTENERS_DAYS` days ending with this range's last day."""
        return Range(
            first=self.last - timedelta(days=ROLLING_LISTENERS_DAYS - 1), last=self.last, tz=self.tz
        )


@dataclass
class Stats:
    plays: int = 0
    listening_seconds: int = 0
    listeners: int = 0


# Dimensions a figure can be split by: the SQL expression over a rollup row, and the same key
# of a tail fact.
_DIMENSIONS: dict[str | None, tuple[Callable[[], object], Callable[[Fact], str]]] = {
    None: (lambda: Value(""), lambda fact: ""),
    "source": (lambda: Coalesce("source", Value("")), lambda fact: fact.source),
    "country": (lambda: Coalesce("country", Value("")), lambda fact: fact.country),
    "class": (
        lambda: Case(
            When(source__in=[str(s) for s in ACTIVE_SOURCES], then=Value("active")),
            default=Value("programmed"),
        ),
        lambda fact: source_class(fact.source),
    ),
}


def split_days(start: datetime, end: datetime):
    """``[start, end)`` as whole UTC days (``(first, after_last)`` dates, or None) and the
    partial-day edges left over (quarter-hour ranges)."""
    first_full = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if first_full < start:
        first_full += timedelta(days=1)
    last_full = end.replace(hour=0, minute=0, second=0, microsecond=0)
    if first_full >= last_full:
        return None, [(start, end)]
    edges = [(a, b) for a, b in ((start, first_full), (last_full, end)) if a < b]
    return (first_full.date(), last_full.date()), edges


def _in_ranges(ranges) -> Q:
    where = Q(pk__in=[])
    for a, b in ranges:
        where |= Q(bucket__gte=a, bucket__lt=b)
    return where


@dataclass
class Snapshot:
    creator: object
    mark: int
    now: datetime
    tail: list[Fact] = field(default_factory=list)

    # --- the tail -------------------------------------------------------------------------

    def tail_in(self, start: datetime, end: datetime) -> list[Fact]:
        return [fact for fact in self.tail if start <= fact.bucket < end]

    def _listeners(self, start: datetime, end: datetime):
        return ListenerRollup.objects.filter(
            creator=self.creator, bucket__gte=start, bucket__lt=end
        ).order_by()

    # --- figures --------------------------------------------------------------------------

    def _per_listener(self, start: datetime, end: datetime, by: str | None):
        """(dimension, listener, plays, seconds) rows of the range, as SQL: whole UTC days
        from the daily table when the figure is not split, quarter hours otherwise."""
        sql_key = _DIMENSIONS[by][0]
        days, edges = split_days(start, end) if by is None else (None, [(start, end)])
        parts = [
            ListenerRollup.objects.filter(_in_ranges(edges), creator=self.creator)
            .order_by()
            .annotate(dimension=sql_key())
            .values_list("dimension", "listener", "plays", "listening_seconds")
        ]
        if days is not None:
            parts.append(
                DailyListenerRollup.objects.filter(
                    creator=self.creator, day__gte=days[0], day__lt=days[1]
                )
                .order_by()
                .annotate(dimension=sql_key())
                .values_list("dimension", "listener", "plays", "listening_seconds")
            )
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return query.query.get_compiler(connection=connection).as_sql()

    def grouped(self, start: datetime, end: datetime, by: str | None = None) -> dict[str, Stats]:
        """Plays, listening time and unique listeners of ``[start, end)``, per ``by``.

        One statement: per (group, listener) sums, then per group their totals and the number
        of listeners with a play (exact: each listener once per group, however many buckets or
        days they appear in). The tail's listeners add one only when they have no play in the
        rollups of the same group (one more query, only when the tail has plays).
        """
        sql_key, tail_key = _DIMENSIONS[by]
        result: dict[str, Stats] = defaultdict(Stats)
        sql, params = self._per_listener(start, end, by)
        with connection.cursor() as cursor:
            # The inner query is the ORM's own (parameters bound separately): no user text.
            cursor.execute(
                "SELECT dimension, SUM(n), SUM(s), SUM(CASE WHEN n > 0 THEN 1 ELSE 0 END) "  # noqa: S608
                "FROM (SELECT dimension, listener, SUM(plays) AS n, SUM(listening_seconds) AS s "
                f"FROM ({sql}) AS part GROUP BY dimension, listener) AS per_listener "
                "GROUP BY dimension",
                params,
            )
            for key, plays, seconds, people in cursor.fetchall():
                result[key] = Stats(int(plays or 0), int(seconds or 0), int(people or 0))
        tail = self.tail_in(start, end)
        pairs = {(tail_key(fact), fact.listener) for fact in tail if fact.plays}
        if pairs:
            known = set(
                self._listeners(start, end)
                .filter(plays__gt=0, listener__in={listener for _, listener in pairs})
                .annotate(dimension=sql_key())
                .values_list("dimension", "listener")
                .distinct()
            )
            for key, _listener in pairs - known:
                result[key].listeners += 1
        for fact in tail:
            stats = result[tail_key(fact)]
            stats.plays += fact.plays
            stats.listening_seconds += fact.seconds
        return dict(result)

    def total(self, start: datetime, end: datetime) -> Stats:
        return self.grouped(start, end).get("", Stats())

    def per_bucket(self, start: datetime, end: datetime, track_id=None) -> dict[datetime, Stats]:
        """Plays and listening time per 15-minute bucket (no listeners: they do not add up),
        of all the creator's tracks or of one."""
        result: dict[datetime, Stats] = defaultdict(Stats)
        if track_id is None:
            rows = CreatorRollup.objects.filter(
                creator=self.creator, bucket__gte=start, bucket__lt=end
            ).values_list("bucket", "plays", "listening_seconds")
        else:
            rows = (
                PlayRollup.objects.filter(
                    creator=self.creator, track_id=track_id, bucket__gte=start, bucket__lt=end
                )
                .order_by()
                .values("bucket")
                .annotate(n=Sum("plays"), seconds=Sum("listening_seconds"))
                .values_list("bucket", "n", "seconds")
            )
        for bucket, plays, seconds in rows:
            result[bucket] = Stats(plays, seconds)
        for fact in self.tail_in(start, end):
            if track_id is not None and fact.track_id != track_id:
                continue
            stats = result[fact.bucket]
            stats.plays += fact.plays
            stats.listening_seconds += fact.seconds
        return dict(result)

    def per_track(self, start: datetime, end: datetime) -> dict[object, Stats]:
        """Plays and listening time per track (listeners are counted per creator, not track):
        whole UTC days from the daily table, the partial edges from the quarter hours."""
        result: dict[object, Stats] = defaultdict(Stats)
        days, edges = split_days(start, end)
        parts = [
            PlayRollup.objects.filter(_in_ranges(edges), creator=self.creator)
            .order_by()
            .values("track_id")
            .annotate(n=Sum("plays"), seconds=Sum("listening_seconds"))
            .values_list("track_id", "n", "seconds")
        ]
        if days is not None:
            parts.append(
                DailyTrackRollup.objects.filter(
                    creator=self.creator, day__gte=days[0], day__lt=days[1]
                )
                .order_by()
                .values("track_id")
                .annotate(n=Sum("plays"), seconds=Sum("listening_seconds"))
                .values_list("track_id", "n", "seconds")
            )
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for track_id, plays, seconds in query:
            stats = result[track_id]
            stats.plays += plays or 0
            stats.listening_seconds += seconds or 0
        for fact in self.tail_in(start, end):
            stats = result[fact.track_id]
            stats.plays += fact.plays
            stats.listening_seconds += fact.seconds
        return dict(result)

    def listener_plays(self, start: datetime, end: datetime) -> dict[int, int]:
        """Plays per listener in the range, for the tail's listeners only (a bounded set)."""
        keys = {fact.listener for fact in self.tail_in(start, end) if fact.plays}
        if not keys:
            return {}
        rows = (
            self._listeners(start, end)
            .filter(listener__in=keys)
            .values("listener")
            .annotate(n=Sum("plays"))
        )
        return {row["listener"]: row["n"] or 0 for row in rows}

    def first_plays(self, *, listeners: set[int], before: datetime) -> dict[int, datetime]:
        """When each of ``listeners`` first played this creator, if before ``before``."""
        if not listeners:
            return {}
        rows = (
            ListenerRollup.objects.filter(
                creator=self.creator, plays__gt=0, listener__in=listeners, bucket__lt=before
            )
            .order_by()
            .values("listener")
            .annotate(first=Min("bucket"))
        )
        return {row["listener"]: row["first"] for row in rows}


def _tail_facts(*, creator, mark: int, start: datetime, end: datetime) -> list[Fact]:
    events = PlayEvent.objects.filter(
        creator=creator, counted=True, id__gt=mark, created_at__gte=start, created_at__lt=end
    ).order_by()
    return [fact_from_row(row) for row in events.values_list(*EVENT_COLUMNS)]


@contextlib.contextmanager
def snapshot(*, creator, start: datetime, end: datetime) -> Iterator[Snapshot]:
    """A consistent read of ``creator``'s analytics; the tail is loaded for ``[start, end)``,
    which must cover every range the caller then asks about."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        # Inside an enclosing transaction (a test's, a caller's) the isolation level is
        # already set and cannot change: the snapshot then shares that transaction's view.
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        mark = (
            RollupState.objects.filter(job=STATE_NAME)
            .values_list("last_event_id", flat=True)
            .first()
            or 0
        )
        yield Snapshot(
            creator=creator,
            mark=mark,
            now=timezone.now(),
            tail=_tail_facts(creator=creator, mark=mark, start=start, end=end),
        )


def buckets(start: datetime, end: datetime) -> Iterator[datetime]:
    moment = start
    while moment < end:
        yield moment
        moment += BUCKET

"""Creator analytics storage: quarter-hour rollups of playback events, live sessions.

Raw ``PlayEvent`` rows stay append-only in ``apps.streaming``; the rollup job
(:mod:`apps.analytics.services.rollups`) condenses the rows up to a high-water mark into the two
rollup tables below. Buckets are 15 minutes wide, in UTC: every time zone in use today is a
whole number of quarter hours from UTC (India +05:30, Nepal +05:45), so a local hour, day, week
or month is always an exact union of buckets.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

BUCKET_MINUTES = 15


class RollupState(models.Model):
    """The high-water mark: every ``PlayEvent`` with ``id <= last_event_id`` is in the
    rollups; endpoints read the rows above it raw (the tail)."""

    job = models.CharField(max_length=32, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.job} through event {self.last_event_id}"


class PlayRollup(models.Model):
    """Plays of one track in one quarter hour, from one source and country."""

    id = models.BigAutoField(primary_key=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    track = models.ForeignKey("catalog.Track", on_delete=models.CASCADE, related_name="+")
    bucket = models.DateTimeField(help_text="UTC start of the 15-minute bucket.")
    source = models.CharField(max_length=16)
    country = models.CharField(max_length=2, blank=True)
    plays = models.PositiveIntegerField(default=0)
    listening_seconds = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["track", "bucket", "source", "country"], name="analytics_play_rollup_key"
            ),
        ]
        indexes = [
            # Every dashboard reads one creator's buckets in a time range: covering, so the
            # sums are index-only scans on PostgreSQL.
            models.Index(
                fields=["creator", "bucket"],
                include=["track", "source", "country", "plays", "listening_seconds"],
                name="analytics_play_creator_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track_id} {self.bucket:%Y-%m-%d %H:%M} {self.source} {self.country}"


class CreatorRollup(models.Model):
    """A creator's plays and listening time in one quarter hour: totals and series read
    ~100 rows a day here instead of one per track, source and country."""

    id = models.BigAutoField(primary_key=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    bucket = models.DateTimeField(help_text="UTC start of the 15-minute bucket.")
    plays = models.PositiveIntegerField(default=0)
    listening_seconds = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "bucket"], name="analytics_creator_rollup_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} {self.bucket:%Y-%m-%d %H:%M}"


class ListenerRollup(models.Model):
    """One listener's activity with one creator in one quarter hour, per source and country.

    Unique listeners of any range are an exact ``COUNT(DISTINCT listener)`` over these rows: a
    listener is stored once per bucket, never as a pre-added count, so nothing is counted
    twice across hours or days.
    """

    id = models.BigAutoField(primary_key=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    bucket = models.DateTimeField(help_text="UTC start of the 15-minute bucket.")
    listener = models.BigIntegerField(
        help_text="64-bit hash of the account, the anonymous session or the lone event."
    )
    source = models.CharField(max_length=16)
    country = models.CharField(max_length=2, blank=True)
    plays = models.PositiveIntegerField(default=0)
    listening_seconds = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "bucket", "listener", "source", "country"],
                name="analytics_listener_rollup_key",
            ),
        ]
        indexes = [
            # Totals, series and COUNT(DISTINCT listener) of one creator's range: covering.
            models.Index(
                fields=["creator", "bucket"],
                include=["listener", "source", "country", "plays", "listening_seconds"],
                name="analytics_listener_range_idx",
            ),
            # New vs returning: has this listener played the creator before a date?
            models.Index(
                fields=["creator", "listener", "bucket"],
                name="analytics_listener_first_idx",
                condition=Q(plays__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listener} {self.bucket:%Y-%m-%d %H:%M}"


class DailyTrackRollup(models.Model):
    """One track's plays in one UTC day, derived from :class:`PlayRollup` by the job.

    A range reads whole UTC days here and only its partial first and last days from the
    quarter hours: a month is ~30 rows a track instead of one per quarter hour, source and
    country.
    """

    id = models.BigAutoField(primary_key=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    track = models.ForeignKey("catalog.Track", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="UTC day.")
    plays = models.PositiveIntegerField(default=0)
    listening_seconds = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["track", "day"], name="analytics_track_day_key"),
        ]
        indexes = [
            models.Index(
                fields=["creator", "day"],
                include=["track", "plays", "listening_seconds"],
                name="analytics_track_day_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track_id} {self.day}"


class DailyListenerRollup(models.Model):
    """One listener's activity with one creator in one UTC day, derived from
    :class:`ListenerRollup`: whole days of a range count distinct listeners over ~one row per
    listener and day."""

    id = models.BigAutoField(primary_key=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(help_text="UTC day.")
    listener = models.BigIntegerField()
    plays = models.PositiveIntegerField(default=0)
    listening_seconds = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "day", "listener"], name="analytics_listener_day_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["creator", "day"],
                include=["listener", "plays", "listening_seconds"],
                name="analytics_listener_day_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listener} {self.day}"


class LiveSession(models.Model):
    """A creator's scheduled live stream; the external streaming server reports its viewers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_sessions"
    )
    title = models.CharField(max_length=200)
    scheduled_start = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scheduled_start", "-id"]
        indexes = [
            models.Index(fields=["creator", "-scheduled_start"], name="analytics_live_creator_idx")
        ]

    def __str__(self) -> str:
        return self.title


class ViewerEventKind(models.TextChoices):
    JOIN = "join", "Joined"
    LEAVE = "leave", "Left"


class LiveViewerEvent(models.Model):
    """A viewer joining or leaving a live session, as the streaming server reported it.

    The streaming server may resend a batch after a timeout: the unique key makes a resent
    event a no-op.
    """

    id = models.BigAutoField(primary_key=True)
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="events")
    viewer = models.CharField(max_length=64, help_text="The streaming server's viewer id.")
    kind = models.CharField(max_length=8, choices=ViewerEventKind.choices)
    at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "viewer", "kind", "at"], name="analytics_viewer_event_key"
            ),
        ]
        indexes = [models.Index(fields=["session", "at"], name="analytics_viewer_time_idx")]

    def __str__(self) -> str:
        return f"{self.viewer} {self.kind} {self.at:%H:%M:%S}"

"""Streaming reads: trending tracks, the media file behind a track, HLS work to do."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.catalog.models import HlsStatus, ModerationStatus, ProcessingStatus, Track
from apps.catalog.selectors import public_tracks
from apps.streaming import media
from apps.streaming.exceptions import FileMissing
from apps.streaming.models import PlayEvent
from veza import storage

logger = logging.getLogger(__name__)

TRENDING_WINDOW = timedelta(days=7)


def discover_tracks(*, now: datetime | None = None) -> QuerySet[Track]:
    """Trending public tracks: counted plays in the last week (``recent_plays``), then all-time
    plays; the API orders by them."""
    now = now or timezone.now()
    recent = (
        PlayEvent.objects.filter(
            track=OuterRef("pk"), counted=True, created_at__gte=now - TRENDING_WINDOW
        )
        .order_by()
        .values("track")
        .annotate(n=Count("id"))
        .values("n")
    )
    return public_tracks().annotate(
        recent_plays=Coalesce(Subquery(recent, output_field=IntegerField()), 0)
    )


def hls_directory(track_id) -> str:
    """Where a track's HLS renditions are stored."""
    return f"hls/{track_id}"


def media_file_get(
    *, storage_name: str, content_type: str, etag: str | None = None
) -> media.MediaFile | None:
    """The stored file ``storage_name`` described for serving, or ``None`` when it is missing
    (one ``stat`` on disk, one ``HEAD`` on S3).

    Without a content hash the validator is the file's modification time and size.
    """
    stat = storage.stored_stat(storage_name) if storage_name else None
    if stat is None:
        return None
    mtime = int(stat.modified.timestamp())
    return media.MediaFile(
        storage_name=storage_name,
        size=stat.size,
        content_type=content_type,
        etag=etag or f'"{mtime}-{stat.size}"',
        last_modified=datetime.fromtimestamp(mtime, tz=UTC),
        upstream_etag=stat.upstream_etag,
    )


def track_media_file(*, track: Track) -> media.MediaFile:
    """A track's audio file; its strong ETag is the content hash. 404 ``FILE_MISSING`` (and an
    error in the log) when the row points at nothing."""
    media_file = media_file_get(
        storage_name=track.audio_file.name,
        content_type=track.content_type or "application/octet-stream",
        etag=f'"{track.sha256}"' if track.sha256 else None,
    )
    if media_file is None:
        logger.error("FILE_MISSING: track %s has no file at %r", track.pk, track.audio_file.name)
        raise FileMissing()
    return media_file


def hls_backfill_candidates(*, limit: int) -> list:
    """Ready, active tracks without renditions, most played first (ids)."""
    return list(
        Track.objects.filter(
            status=ProcessingStatus.READY,
            moderation_status=ModerationStatus.ACTIVE,
            hls_status=HlsStatus.NONE,
        )
        .order_by("-play_count")
        .values_list("pk", flat=True)[:limit]
    )

"""Streaming writes: HLS renditions and playback events."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.catalog import media_cache
from apps.catalog.models import HlsStatus, ProcessingStatus, Track
from apps.catalog.platform import response_cache_invalidate
from apps.catalog.services import hls_directory
from apps.streaming import hls
from apps.streaming.models import PlayEvent

logger = logging.getLogger(__name__)


def hls_files_delete(*, directory: str) -> None:
    """Remove a track's HLS files from storage (missing files are fine)."""
    try:
        dirs, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(f"{directory}/{name}")
    for sub in dirs:
        hls_files_delete(directory=f"{directory}/{sub}")
    root = os.path.join(settings.MEDIA_ROOT, directory)
    if os.path.isdir(root):
        shutil.rmtree(root, ignore_errors=True)


def hls_transcode(*, track_id) -> Track | None:
    """Transcode a ready track into AAC renditions; idempotent (a ready HLS is kept).

    The status moves ``none|failed -> pending`` with a conditional update, so two workers never
    transcode the same track at once.
    """
    claimed = (
        Track.objects.filter(pk=track_id, status=ProcessingStatus.READY)
        .exclude(hls_status__in=[HlsStatus.PENDING, HlsStatus.READY])
        .update(hls_status=HlsStatus.PENDING)
    )
    track = Track.objects.filter(pk=track_id).first()
    if not claimed or track is None:
        return track
    directory = hls_directory(track.pk)
    try:
        with tempfile.TemporaryDirectory(prefix="veza-hls-") as work:
            source = os.path.join(work, "source")
            with (
                default_storage.open(track.audio_file.name, "rb") as src,
                open(source, "wb") as dst,
            ):
                shutil.copyfileobj(src, dst, 1024 * 1024)
            out_dir = os.path.join(work, "out")
            names = hls.hls_transcode_to_directory(
                source,
                out_dir,
                bitrates=settings.HLS_BITRATES,
                segment_seconds=settings.HLS_SEGMENT_SECONDS,
            )
            hls_files_delete(directory=directory)
            for name in names:
                with open(os.path.join(out_dir, name), "rb") as handle:
                    stored = default_storage.save(f"{directory}/{name}", File(handle))
                if stored != f"{directory}/{name}":
                    raise RuntimeError(f"storage renamed {name} to {stored}")
    except Exception:
        logger.exception("HLS transcoding failed for track %s", track.pk)
        Track.objects.filter(pk=track.pk).update(hls_status=HlsStatus.FAILED)
        media_cache.bump_on_commit(track.pk)
        track.refresh_from_db()
        return track
    Track.objects.filter(pk=track.pk).update(hls_status=HlsStatus.READY)
    response_cache_invalidate("tracks")
    media_cache.bump_on_commit(track.pk)
    track.refresh_from_db()
    return track


def hls_backfill(*, limit: int = 50) -> int:
    """Queue HLS transcoding for ready, active tracks that have none (flag on only)."""
    from apps.catalog import platform
    from apps.streaming.tasks import hls_transcode

    if not platform.flag_enabled("hls_streaming"):
        return 0
    track_ids = list(
        Track.objects.filter(
            status=ProcessingStatus.READY,
            moderation_status="active",
            hls_status=HlsStatus.NONE,
        )
        .order_by("-play_count")
        .values_list("pk", flat=True)[:limit]
    )
    for track_id in track_ids:
        hls_transcode.delay(str(track_id))
    return len(track_ids)


def play_record(
    *,
    track: Track,
    listener=None,
    session_id: str = "",
    client: str = "",
    source: str = "direct",
    seconds_played: int = 0,
    country: str = "",
) -> tuple[PlayEvent, int]:
    """One playback event and an atomic ``play_count + 1`` (no lost updates under load)."""
    with transaction.atomic():
        event = PlayEvent.objects.create(
            track=track,
            creator_id=track.owner_id,
            listener=listener if listener is not None and listener.is_authenticated else None,
            session_id=session_id,
            client=client,
            source=source,
            seconds_played=seconds_played,
            country=country,
            created_at=timezone.now(),
        )
        Track.objects.filter(pk=track.pk).update(play_count=F("play_count") + 1)
        play_count = Track.objects.values_list("play_count", flat=True).get(pk=track.pk)
    return event, play_count

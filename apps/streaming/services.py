"""Streaming writes: HLS renditions and playback events."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import os
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.catalog import media_cache
from apps.catalog.models import HlsStatus, ProcessingStatus, Track
from apps.streaming import hls
from apps.streaming.models import PlayEvent, UncountedReason
from apps.streaming.selectors import hls_directory
from veza import storage
from veza.jobs import StalledJobs, job_claim, job_lease_expired, stalled_jobs_requeue
from veza.response_cache import response_cache_invalidate
from veza.shared_cache import guarded

logger = logging.getLogger(__name__)

#: ``PlayEvent.uncounted_reason`` of a play that counted.
COUNTED = ""

#: The Celery task that runs :func:`hls_transcode` (``apps.streaming.tasks``, which imports this
#: module: named here, not imported).
HLS_TASK = "streaming.hls_transcode"


def hls_files_delete(*, directory: str) -> None:
    """Remove a track's HLS files from storage (missing files are fine)."""
    storage.prefix_delete(directory)


def hls_transcode(*, track_id) -> Track | None:
    """Transcode a ready track into AAC renditions; idempotent (a ready HLS is kept).

    The status moves ``none|failed -> pending`` with a conditional update, so two workers never
    transcode the same track at once; a ``pending`` one past its deadline was left by a lost
    worker and may be claimed again (:mod:`veza.jobs`). The work happens on a temporary local
    copy (removed whatever happens); the renditions are uploaded through the storage, and a
    failure part-way deletes what was already uploaded, so a retry starts clean.
    """
    now = timezone.now()
    claimable = ~Q(hls_status__in=[HlsStatus.PENDING, HlsStatus.READY]) | Q(
        job_lease_expired(deadline_field="hls_deadline", now=now), hls_status=HlsStatus.PENDING
    )
    claimed = Track.objects.filter(claimable, pk=track_id, status=ProcessingStatus.READY).update(
        hls_status=HlsStatus.PENDING,
        **job_claim(
            task=HLS_TASK, attempts_field="hls_attempts", deadline_field="hls_deadline", now=now
        ),
    )
    track = Track.objects.filter(pk=track_id).first()
    if not claimed or track is None:
        return track
    directory = hls_directory(track.pk)
    try:
        with (
            storage.local_copy(track.audio_file.name) as source,
            tempfile.TemporaryDirectory(prefix="veza-hls-") as out_dir,
        ):
            names = hls.hls_transcode_to_directory(
                source,
                out_dir,
                bitrates=settings.HLS_BITRATES,
                segment_seconds=settings.HLS_SEGMENT_SECONDS,
            )
            hls_files_delete(directory=directory)
            for name in names:
                with open(os.path.join(out_dir, name), "rb") as handle:
                    storage.save_exact(f"{directory}/{name}", File(handle))
    except Exception:
        logger.exception("HLS transcoding failed for track %s", track.pk)
        try:
            hls_files_delete(directory=directory)
        except Exception:
            logger.exception("Could not remove the partial HLS files of track %s", track.pk)
        Track.objects.filter(pk=track.pk).update(hls_status=HlsStatus.FAILED)
        media_cache.bump_on_commit(track.pk)
        track.refresh_from_db()
        return track
    Track.objects.filter(pk=track.pk).update(hls_status=HlsStatus.READY)
    response_cache_invalidate("tracks")
    media_cache.bump_on_commit(track.pk)
    track.refresh_from_db()
    return track


@dataclass(frozen=True)
class Listener:
    """Who is playing, for the duplicate check (README "Security model", play counts).

    A signed-in listener is their account. An anonymous listener is their network address:
    the IPv4 address, or the /64 of an IPv6 one (one household, as for the rate limits). The
    client's ``session_id`` is stored for analytics but does not widen the identity: a client
    can invent a new one per request.
    """

    user: object | None
    key: str

    @classmethod
    def from_request(cls, *, user, ip: str) -> Listener:
        if user is not None and user.is_authenticated:
            return cls(user=user, key=f"user:{user.pk}")
        try:
            address = ipaddress.ip_address(ip)
            network = str(address) if address.version == 4 else f"{address:x}"[:16]
        except ValueError:
            network = ip
        digest = hashlib.sha256(network.encode()).hexdigest()[:32]
        return cls(user=None, key=f"anon:{digest}")


def play_window_seconds(track: Track) -> int:
    """A listener's plays of one track count once per window: the track's length, at least
    ``PLAYS_DEDUP_MIN_SECONDS``."""
    return max(settings.PLAYS_DEDUP_MIN_SECONDS, math.ceil(track.duration or 0))


def _play_claim(*, track: Track, listener: Listener) -> bool | None:
    """Atomically claim the listener's counted play of ``track`` for the window (SET NX on the
    shared cache, so parallel duplicates count once). ``None`` while the cache is down."""
    key = f"plays:counted:{track.pk}:{listener.key}"
    return guarded(lambda cache: bool(cache.add(key, 1, timeout=play_window_seconds(track))), None)


def play_record(
    *,
    track: Track,
    listener: Listener,
    session_id: str = "",
    client: str = "",
    source: str = "direct",
    seconds_played: int = 0,
    country: str = "",
) -> tuple[PlayEvent, int]:
    """Record a playback event; count it (``play_count + 1``, trending) only when it is a play.

    Not counted, but recorded with the reason: the creator's own plays, and a listener's
    repeated plays of the same track within :func:`play_window_seconds` (or while the duplicate
    check is unavailable: counts fail closed). ``seconds_played`` is capped by the track's
    length. The count is an atomic ``F()`` update.
    """
    if track.duration:
        seconds_played = min(seconds_played, math.ceil(track.duration))
    if listener.user is not None and listener.user.pk == track.owner_id:
        reason = UncountedReason.OWN_TRACK
    else:
        claimed = _play_claim(track=track, listener=listener)
        if claimed is None:
            logger.warning("Play of %s not counted: duplicate check unavailable", track.pk)
        reason = {
            True: COUNTED,
            False: UncountedReason.DUPLICATE,
            None: UncountedReason.UNVERIFIED,
        }[claimed]
    counted = reason == COUNTED
    with transaction.atomic():
        event = PlayEvent.objects.create(
            track=track,
            creator_id=track.owner_id,
            listener=listener.user,
            session_id=session_id,
            client=client,
            source=source,
            seconds_played=seconds_played,
            country=country,
            counted=counted,
            uncounted_reason=reason,
            created_at=timezone.now(),
        )
        if counted:
            Track.objects.filter(pk=track.pk).update(play_count=F("play_count") + 1)
        play_count = Track.objects.values_list("play_count", flat=True).get(pk=track.pk)
    return event, play_count


HLS_TRANSCODING = StalledJobs(
    name="track.hls",
    task=HLS_TASK,
    model=Track,
    active=Q(hls_status=HlsStatus.PENDING),
    attempts_field="hls_attempts",
    deadline_field="hls_deadline",
    queued_since_field="updated_at",
    requeue={"hls_status": HlsStatus.NONE},
    fail=lambda reason, now: {"hls_status": HlsStatus.FAILED},
    changed=media_cache.bump_on_commit,
)


def hls_requeue_stalled(*, now=None) -> dict[str, int]:
    """Transcodings left ``pending`` by a lost worker are started again, or failed after
    ``JOBS_MAX_ATTEMPTS`` starts (audited ``track.hls.requeued`` / ``.failed``, with the
    reason in the audit entry: the track has no HLS failure column)."""
    return stalled_jobs_requeue(jobs=HLS_TRANSCODING, now=now)

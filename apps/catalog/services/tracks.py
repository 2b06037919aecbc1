"""Track writes: upload, processing, edits, deletion. Every one is audited where staff care,
and makes the response cache and the media cache follow.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from apps.catalog import audio, media_cache, signals, tasks
from apps.catalog.exceptions import PayloadTooLarge, UnsupportedMediaType
from apps.catalog.models import ProcessingStatus, Track, Visibility
from apps.webhooks.services import webhook_event_record
from veza import storage
from veza.audit import RequestMeta, audit_record
from veza.jobs import job_claim
from veza.response_cache import response_cache_invalidate

logger = logging.getLogger(__name__)

# Writes to tracks change what these cached public prefixes show.
TRACK_NAMESPACES = ("tracks", "search", "feed", "discover", "playlists", "users")

TRACK_EDITABLE_FIELDS = (
    "title",
    "artist_name",
    "album",
    "genre",
    "tags",
    "description",
    "visibility",
)


def track_caches_invalidate(track_id=None) -> None:
    """After a track write: cached responses and media access rows go stale on commit."""
    response_cache_invalidate(*TRACK_NAMESPACES)  # bumps on commit
    media_cache.bump_on_commit(track_id)


def tags_normalize(tags: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split()).lower()[:40]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:20]


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _probe_upload(file) -> audio.AudioInfo:
    """Sniff the uploaded bytes (never the name); a refusal says why in plain words.

    FFmpeg's own message (temporary paths, error numbers) goes to the log only.
    """
    try:
        file.seek(0)
        return audio.audio_probe(file.file)
    except audio.NotAudio as exc:
        logger.info("Upload %r refused as not audio: %s", file.name, exc.detail)
        raise UnsupportedMediaType(str(exc), details={"file": [str(exc)]}) from exc
    finally:
        file.seek(0)


def track_webhook_object(track: Track) -> dict:
    """A track as webhook receivers get it (README "Webhooks for integrators")."""
    return {
        "id": str(track.pk),
        "object": "track",
        "title": track.title,
        "artist_name": track.artist_name,
        "status": track.status,
        "moderation_status": track.moderation_status,
        "visibility": track.visibility,
        "duration": track.duration,
        "failure_reason": track.failure_reason,
        "created_at": track.created_at,
        "updated_at": track.updated_at,
    }


def track_event_record(*, track: Track, event_type: str) -> None:
    """Record a ``track.*`` webhook event for the track's owner, in the caller's transaction."""
    webhook_event_record(
        owner_id=track.owner_id,
        event_type=event_type,
        object_id=track.pk,
        data_object=track_webhook_object(track),
    )


def storage_delete_on_commit(names: Iterable[str]) -> None:
    """Remove stored files once the row that pointed at them is really gone."""
    names = [name for name in names if name]

    def delete():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("Could not delete stored file %s", name, exc_info=True)

    transaction.on_commit(delete)


def track_upload(
    *,
    owner,
    file,
    title: str,
    artist_name: str = "",
    album: str = "",
    genre: str = "",
    tags: Iterable[str] = (),
    description: str = "",
    visibility: str = Visibility.PUBLIC,
    cover_image=None,
    max_bytes: int,
    meta: RequestMeta | None = None,
) -> Track:
    """Store an upload (sniffed as audio, under a generated name) and queue its processing."""
    if file.size > max_bytes:
        raise PayloadTooLarge(details={"max_bytes": max_bytes})
    info = _probe_upload(file)
    sha256 = _sha256(file)
    now = timezone.now()
    stored = storage.save_new(f"tracks/{now:%Y/%m}/{uuid.uuid4().hex}.{info.extension}", file)
    try:
        with transaction.atomic():
            track = Track.objects.create(
                owner=owner,
                title=title,
                artist_name=artist_name,
                album=album,
                genre=genre,
                tags=tags_normalize(tags),
                description=description,
                visibility=visibility,
                audio_file=stored,
                content_type=info.content_type,
                container=info.container,
                codec=info.codec,
                size=file.size,
                sha256=sha256,
                status=ProcessingStatus.PROCESSING,
                created_at=now,
            )
            if cover_image is not None:
                track.cover_image.save(f"{uuid.uuid4().hex}.jpg", cover_image, save=True)
            audit_record(
                action="track.upload",
                actor=owner,
                target=track,
                meta=meta,
                metadata={"size": file.size, "container": info.container},
            )
            track_id = str(track.pk)
            transaction.on_commit(lambda: tasks.track_process.delay(track_id))
            track_caches_invalidate()
    except BaseException:
        default_storage.delete(stored)
        raise
    return track


def track_process(*, track_id) -> Track | None:
    """Read duration, bitrate, codec and tags; move ``processing`` to ``ready`` or ``failed``.

    Idempotent: a track that already left ``processing`` is left alone. Each start is counted
    with a deadline (:func:`veza.jobs.job_claim`) for the job sweeper; the probe only reads the
    file and its outcome is one conditional UPDATE, so two deliveries at once are harmless.
    """
    claimed = Track.objects.filter(pk=track_id, status=ProcessingStatus.PROCESSING).update(
        **job_claim(
            task=tasks.track_process.name,
            attempts_field="processing_attempts",
            deadline_field="processing_deadline",
            now=timezone.now(),
        )
    )
    track = Track.objects.filter(pk=track_id).first()
    if not claimed or track is None:
        return track
    try:
        with storage.local_copy(track.audio_file.name) as source:
            info = audio.audio_probe(source)
    except (audio.NotAudio, OSError) as exc:
        detail = exc.detail if isinstance(exc, audio.NotAudio) else str(exc)
        logger.warning("Track %s failed processing: %s", track.pk, detail)
        said = str(exc) if isinstance(exc, audio.NotAudio) else "The stored file is unreadable."
        reason = f"Could not read the audio: {said}"[:255]
        with transaction.atomic():
            failed = Track.objects.filter(pk=track.pk, status=ProcessingStatus.PROCESSING).update(
                status=ProcessingStatus.FAILED, failure_reason=reason, updated_at=timezone.now()
            )
            media_cache.bump_on_commit(track.pk)
            audit_record(
                action="track.processing_failed", target=track, metadata={"reason": reason}
            )
            track.refresh_from_db()
            if failed:
                track_event_record(track=track, event_type="track.failed")
        return track
    if not info.duration or info.duration <= 0:
        with transaction.atomic():
            failed = Track.objects.filter(pk=track.pk, status=ProcessingStatus.PROCESSING).update(
                status=ProcessingStatus.FAILED,
                failure_reason="The file has no playable duration.",
                updated_at=timezone.now(),
            )
            track.refresh_from_db()
            if failed:
                track_event_record(track=track, event_type="track.failed")
        return track
    changes = {
        "duration": info.duration,
        "bitrate": info.bitrate,
        "codec": info.codec,
        "status": ProcessingStatus.READY,
        "failure_reason": "",
        "updated_at": timezone.now(),
    }
    for tag, field_name in audio.TAG_FIELDS.items():
        if info.tags.get(tag) and not getattr(track, field_name):
            changes[field_name] = info.tags[tag][:200]
    with transaction.atomic():
        updated = Track.objects.filter(pk=track.pk, status=ProcessingStatus.PROCESSING).update(
            **changes
        )
        track.refresh_from_db()
        if updated:
            track_caches_invalidate(track.pk)
            track_id = str(track.pk)
            transaction.on_commit(
                lambda: signals.track_media_ready.send(sender=Track, track_id=track_id)
            )
            track_event_record(track=track, event_type="track.ready")
    return track


@transaction.atomic
def track_update(*, track: Track, actor, data: dict, meta: RequestMeta | None = None) -> Track:
    changed = {}
    for name in TRACK_EDITABLE_FIELDS:
        if name in data:
            value = tags_normalize(data[name]) if name == "tags" else data[name]
            if getattr(track, name) != value:
                changed[name] = value
                setattr(track, name, value)
    if changed:
        track.save(update_fields=[*changed, "updated_at"])
        audit_record(
            action="track.update",
            actor=actor,
            target=track,
            meta=meta,
            metadata={"fields": sorted(changed)},
        )
        track_caches_invalidate(track.pk)
    return track


def track_admin_edit_record(
    *, track: Track, actor, fields: list[str], meta: RequestMeta | None = None
) -> None:
    """A staff edit in the admin form: audited, and caches follow like any track write."""
    if not fields:
        return
    audit_record(
        action="track.admin_change",
        actor=actor,
        target=track,
        meta=meta,
        metadata={"fields": sorted(fields)},
    )
    track_caches_invalidate(track.pk)


@transaction.atomic
def track_delete(
    *, track: Track, actor, meta: RequestMeta | None = None, for_erasure: bool = False
) -> None:
    """Delete the row, then (after commit) its audio and cover, and announce it
    (``signals.track_deleted``: derived files such as HLS renditions go too).

    Apps above the catalog may refuse first (``signals.track_delete_requested``; the track row
    is locked, so a write that would change their answer waits for this one). The erasure of
    an account (``for_erasure``) is never refused: its own steps settle what the receivers
    guard (distribution requests the takedowns before the tracks go)."""
    Track.objects.select_for_update().filter(pk=track.pk).values_list("pk").first()
    if not for_erasure:
        signals.track_delete_requested.send(sender=Track, track=track)
    names = [track.audio_file.name, track.cover_image.name]
    track_id = str(track.pk)
    audit_record(
        action="track.delete",
        actor=actor,
        target=track,
        meta=meta,
        metadata={"title": track.title, "owner": str(track.owner_id)},
    )
    track.delete()
    storage_delete_on_commit(names)
    transaction.on_commit(lambda: signals.track_deleted.send(sender=Track, track_id=track_id))
    track_caches_invalidate(track_id)
    logger.info("Track %s deleted", track_id)

"""Catalog writes. Every one is audited where staff care, and bumps the response cache."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from apps.catalog import audio, media_cache, signals
from apps.catalog.exceptions import PayloadTooLarge, UnsupportedMediaType
from apps.catalog.models import (
    Follow,
    LibraryEntry,
    ModerationStatus,
    Playlist,
    PlaylistEntry,
    ProcessingStatus,
    Report,
    ReportStatus,
    ShareToken,
    Track,
)
from apps.catalog.selectors import token_hash
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record
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


def _invalidate(track_id=None) -> None:
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
    visibility: str = "public",
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
    stored = default_storage.save(f"tracks/{now:%Y/%m}/{uuid.uuid4().hex}.{info.extension}", file)
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
            from apps.catalog.tasks import track_process

            track_id = str(track.pk)
            transaction.on_commit(lambda: track_process.delay(track_id))
            _invalidate()
    except BaseException:
        default_storage.delete(stored)
        raise
    return track


def track_process(*, track_id) -> Track | None:
    """Read duration, bitrate, codec and tags; move ``processing`` to ``ready`` or ``failed``.

    Idempotent: a track that already left ``processing`` is left alone.
    """
    track = Track.objects.filter(pk=track_id).first()
    if track is None or track.status != ProcessingStatus.PROCESSING:
        return track
    try:
        with default_storage.open(track.audio_file.name, "rb") as handle:
            info = audio.audio_probe(handle)
    except (audio.NotAudio, OSError) as exc:
        detail = exc.detail if isinstance(exc, audio.NotAudio) else str(exc)
        logger.warning("Track %s failed processing: %s", track.pk, detail)
        said = str(exc) if isinstance(exc, audio.NotAudio) else "The stored file is unreadable."
        reason = f"Could not read the audio: {said}"[:255]
        Track.objects.filter(pk=track.pk, status=ProcessingStatus.PROCESSING).update(
            status=ProcessingStatus.FAILED, failure_reason=reason, updated_at=timezone.now()
        )
        media_cache.bump_on_commit(track.pk)
        audit_record(action="track.processing_failed", target=track, metadata={"reason": reason})
        track.refresh_from_db()
        return track
    if not info.duration or info.duration <= 0:
        Track.objects.filter(pk=track.pk, status=ProcessingStatus.PROCESSING).update(
            status=ProcessingStatus.FAILED,
            failure_reason="The file has no playable duration.",
            updated_at=timezone.now(),
        )
        track.refresh_from_db()
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
        if updated:
            _invalidate(track.pk)
            track_id = str(track.pk)
            transaction.on_commit(
                lambda: signals.track_media_ready.send(sender=Track, track_id=track_id)
            )
    track.refresh_from_db()
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
        _invalidate(track.pk)
    return track


def track_admin_saved(
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
    _invalidate(track.pk)


@transaction.atomic
def track_delete(*, track: Track, actor, meta: RequestMeta | None = None) -> None:
    """Delete the row, then (after commit) its audio and cover, and announce it
    (``signals.track_deleted``: derived files such as HLS renditions go too)."""
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
    _invalidate(track_id)
    logger.info("Track %s deleted", track_id)


# --- Moderation --------------------------------------------------------------------------

MODERATION_ACTIONS = {
    "hide": ModerationStatus.HIDDEN,
    "take_down": ModerationStatus.TAKEN_DOWN,
    "restore": ModerationStatus.ACTIVE,
}


@transaction.atomic
def track_moderate(
    *, track: Track, action: str, actor, meta: RequestMeta | None = None, reason: str = ""
) -> Track:
    """Hide, take down or restore a track; open reports on it are closed as actioned."""
    if action not in MODERATION_ACTIONS:
        raise ValidationFailed(details={"action": [f"Unknown moderation action {action!r}."]})
    new_status = MODERATION_ACTIONS[action]
    previous = track.moderation_status
    Track.objects.filter(pk=track.pk).update(
        moderation_status=new_status, updated_at=timezone.now()
    )
    track.moderation_status = new_status
    now = timezone.now()
    closed = 0
    if action != "restore":
        closed = Report.objects.filter(track=track, status=ReportStatus.OPEN).update(
            status=ReportStatus.ACTIONED, resolved_by=actor, resolved_at=now, resolution=action
        )
    audit_record(
        action=f"track.moderation.{action}",
        actor=actor,
        target=track,
        meta=meta,
        metadata={"from": previous, "to": new_status, "reports_closed": closed, "reason": reason},
    )
    _invalidate(track.pk)
    return track


def report_file(
    *, track: Track, reporter, reason: str, details: str = "", meta: RequestMeta | None = None
) -> tuple[Report, bool]:
    """File a report; a second open report by the same person returns the first one."""
    try:
        with transaction.atomic():
            report = Report.objects.create(
                track=track, reporter=reporter, reason=reason, details=details
            )
    except IntegrityError:
        return Report.objects.get(track=track, reporter=reporter, status=ReportStatus.OPEN), False
    audit_record(
        action="track.report", actor=reporter, target=track, meta=meta, metadata={"reason": reason}
    )
    return report, True


@transaction.atomic
def report_dismiss(*, report: Report, actor, meta: RequestMeta | None = None) -> bool:
    updated = Report.objects.filter(pk=report.pk, status=ReportStatus.OPEN).update(
        status=ReportStatus.DISMISSED,
        resolved_by=actor,
        resolved_at=timezone.now(),
        resolution="dismiss",
    )
    if updated:
        audit_record(
            action="report.dismiss",
            actor=actor,
            target=report,
            meta=meta,
            metadata={"track": str(report.track_id)},
        )
    return bool(updated)


# --- Share tokens ------------------------------------------------------------------------


def share_token_create(
    *,
    actor,
    track: Track | None = None,
    playlist: Playlist | None = None,
    expires_at: datetime | None = None,
    meta: RequestMeta | None = None,
) -> tuple[ShareToken, str]:
    """A new random token (returned once, stored hashed)."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(details={"expires_at": ["Must be in the future."]})
    raw = secrets.token_urlsafe(32)
    share = ShareToken.objects.create(
        token_hash=token_hash(raw),
        track=track,
        playlist=playlist,
        created_by=actor,
        expires_at=expires_at,
    )
    audit_record(
        action="share.create",
        actor=actor,
        target=track or playlist,
        meta=meta,
        metadata={"share": str(share.pk)},
    )
    return share, raw


def share_token_revoke(*, share: ShareToken, actor, meta: RequestMeta | None = None) -> ShareToken:
    updated = ShareToken.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        # Anonymous reads unlocked by this token may sit in the response cache.
        response_cache_invalidate("tracks", "playlists")
        audit_record(
            action="share.revoke",
            actor=actor,
            target=share.track or share.playlist,
            meta=meta,
            metadata={"share": str(share.pk)},
        )
    share.refresh_from_db()
    return share


# --- Follows and library -----------------------------------------------------------------


def follow_create(*, follower, followee) -> bool:
    if follower.pk == followee.pk:
        raise ValidationFailed(details={"user": ["You cannot follow yourself."]})
    _, created = Follow.objects.get_or_create(follower=follower, followee=followee)
    if created:
        response_cache_invalidate("feed", "users")
    return created


def follow_delete(*, follower, followee) -> bool:
    deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        response_cache_invalidate("feed", "users")
    return bool(deleted)


def library_add(*, user, track: Track, share: ShareToken | None = None) -> bool:
    """Save ``track``; ``share`` is the link it was opened through, if only a link opened it
    (the library lists it while that link still grants it)."""
    entry, created = LibraryEntry.objects.get_or_create(
        user=user, track=track, defaults={"share": share}
    )
    if not created and share is not None and entry.share_id != share.pk:
        LibraryEntry.objects.filter(pk=entry.pk).update(share=share)
    return created


def library_remove(*, user, track_id) -> bool:
    deleted, _ = LibraryEntry.objects.filter(user=user, track_id=track_id).delete()
    return bool(deleted)


# --- Playlists ---------------------------------------------------------------------------


def _playlists_changed() -> None:
    response_cache_invalidate("playlists", "search", "users")


def playlist_create(*, owner, title: str, description: str = "", visibility="public") -> Playlist:
    playlist = Playlist.objects.create(
        owner=owner, title=title, description=description, visibility=visibility
    )
    _playlists_changed()
    return playlist


def playlist_update(*, playlist: Playlist, data: dict) -> Playlist:
    fields = [name for name in ("title", "description", "visibility") if name in data]
    for name in fields:
        setattr(playlist, name, data[name])
    if fields:
        playlist.save(update_fields=[*fields, "updated_at"])
        _playlists_changed()
    return playlist


def playlist_delete(*, playlist: Playlist) -> None:
    playlist.delete()
    _playlists_changed()


@transaction.atomic
def playlist_track_add(*, playlist: Playlist, track: Track, position: int | None = None):
    """Insert ``track`` at ``position`` (end by default), shifting later entries down.

    The playlist row is locked so two concurrent inserts cannot take the same position.
    """
    Playlist.objects.select_for_update().filter(pk=playlist.pk).first()
    if PlaylistEntry.objects.filter(playlist=playlist, track=track).exists():
        raise ValidationFailed(details={"track_id": ["The track is already in this playlist."]})
    size = PlaylistEntry.objects.filter(playlist=playlist).aggregate(m=Max("position"))["m"]
    size = -1 if size is None else size
    end = size + 1
    position = end if position is None or position > end else position
    PlaylistEntry.objects.filter(playlist=playlist, position__gte=position).update(
        position=F("position") + 1
    )
    entry = PlaylistEntry.objects.create(playlist=playlist, track=track, position=position)
    Playlist.objects.filter(pk=playlist.pk).update(updated_at=timezone.now())
    _playlists_changed()
    return entry


@transaction.atomic
def playlist_track_remove(*, playlist: Playlist, track_id) -> bool:
    Playlist.objects.select_for_update().filter(pk=playlist.pk).first()
    entry = PlaylistEntry.objects.filter(playlist=playlist, track_id=track_id).first()
    if entry is None:
        return False
    entry.delete()
    PlaylistEntry.objects.filter(playlist=playlist, position__gt=entry.position).update(
        position=F("position") - 1
    )
    _playlists_changed()
    return True

"""Playlists and their ordered entries."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from apps.catalog.models import Playlist, PlaylistEntry, Track, Visibility
from veza.api.exceptions import ValidationFailed
from veza.response_cache import response_cache_invalidate

logger = logging.getLogger(__name__)


def _playlists_changed() -> None:
    response_cache_invalidate("playlists", "search", "users")


def playlist_create(
    *, owner, title: str, description: str = "", visibility: str = Visibility.PUBLIC
) -> Playlist:
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

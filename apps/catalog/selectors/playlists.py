"""Playlists: public lists, search, access and ownership, their visible entries."""

from __future__ import annotations

from typing import NamedTuple
from uuid import UUID

from django.db import connection
from django.db.models import Count, QuerySet

from apps.catalog.models import Playlist, PlaylistEntry, ShareToken, Visibility
from apps.catalog.selectors.access import is_owner_or_staff, share_token_find, tracks_visible_q
from apps.catalog.selectors.tracks import (
    PLAYLIST_ORDERINGS,
    TRACK_ROW_FIELDS,
    TrackRow,
    ordering_resolve,
)
from veza.api.exceptions import Forbidden, NotFound
from veza.compiled_get import CompiledGet
from veza.compiled_query import CompiledLists, RowsQuery


def _track_count(*, user, share: ShareToken | None = None) -> Count:
    """A playlist's ``track_count``: the entries the caller may open (:func:`tracks_visible_q`)."""
    return Count(
        "entries", filter=tracks_visible_q(user=user, share=share, prefix="entries__track__")
    )


def public_playlists(*, user=None) -> QuerySet[Playlist]:
    return (
        Playlist.objects.select_related("owner", "owner__profile")
        .filter(visibility=Visibility.PUBLIC)
        .annotate(track_count=_track_count(user=user))
    )


def playlist_search(*, query: str, limit: int = 20) -> list[Playlist]:
    return list(
        public_playlists().filter(title__icontains=query.strip()).order_by("-created_at")[:limit]
    )


def playlist_list(*, user, mine: bool = False, ordering: str | None = None) -> QuerySet[Playlist]:
    if mine and user.is_authenticated:
        qs = (
            Playlist.objects.select_related("owner", "owner__profile")
            .filter(owner=user)
            .annotate(track_count=_track_count(user=user))
        )
    else:
        qs = public_playlists(user=user)
    return qs.order_by(*ordering_resolve(ordering, PLAYLIST_ORDERINGS))


# The access decision alone (id, owner, visibility): a one-row read compiled once per process.
_playlist_for_access = CompiledGet(lambda: Playlist.objects.only("id", "owner_id", "visibility"))


def playlist_access(
    *, playlist_id, user, share_token: str | None = None, with_track_count: bool = True
) -> Playlist:
    """A playlist the caller may read: public or unlisted, their own (or staff), or private
    with a valid share of this very playlist; else 403 (404 when there is none).

    ``with_track_count=False`` is for callers that show the entries, not the playlist: only
    the columns the decision reads are loaded (no owner, no ``track_count``)."""
    try:
        playlist_id = UUID(str(playlist_id))
    except ValueError:
        raise NotFound() from None
    share = share_token_find(share_token) if share_token else None
    if share is not None and share.playlist_id != playlist_id:
        share = None
    try:
        if with_track_count:
            playlist = (
                Playlist.objects.select_related("owner", "owner__profile")
                .annotate(track_count=_track_count(user=user, share=share))
                .get(pk=playlist_id)
            )
        else:
            playlist = _playlist_for_access(playlist_id)
    except Playlist.DoesNotExist:
        raise NotFound() from None
    if playlist.visibility != Visibility.PRIVATE or is_owner_or_staff(user, playlist.owner_id):
        return playlist
    if share is not None:
        return playlist
    raise Forbidden()


def playlist_owned(*, playlist_id, user, share_token: str | None = None) -> Playlist:
    """A playlist the caller may edit: their own (or staff). One they may only read is 403;
    one they may not read is 403 or 404 as :func:`playlist_access` says."""
    playlist = playlist_access(playlist_id=playlist_id, user=user, share_token=share_token)
    if not is_owner_or_staff(user, playlist.owner_id):
        raise Forbidden()
    return playlist


class PlaylistEntryRow(NamedTuple):
    """A playlist entry as a list row: its place, when it was added, its track's row."""

    position: int
    added_at: object
    track: TrackRow


_ENTRY_TRACK_OFFSET = 2  # the track's columns follow position and added_at


def _entry_row(row) -> PlaylistEntryRow:
    return PlaylistEntryRow(row[0], row[1], TrackRow._make(row[_ENTRY_TRACK_OFFSET:]))


_PLAYLIST_ENTRIES = CompiledLists(
    PlaylistEntry,
    fields=("position", "added_at", *(f"track__{name}" for name in TRACK_ROW_FIELDS)),
    make_row=_entry_row,
    maxsize=256,
)


def playlist_entries(
    *, playlist: Playlist, user, share_token: str | None = None
) -> RowsQuery | QuerySet[PlaylistEntry]:
    """Entries in order, keeping only the tracks the caller may open right now.

    The same rule as :func:`track_access` (:func:`tracks_visible_q`), for the playlist's owner
    too: a track someone else made private after it was added is left out for everyone but
    its own owner and staff. A share of this playlist counts; a share of another one does not.

    Without a share (nearly every call) the entries are :class:`PlaylistEntryRow` pages whose
    SQL is compiled once per playlist and caller (the rule's values: who asks, whether staff).
    With one, the share's expiry is compared with the time of the call, a parameter a compiled
    query would freeze: the ORM builds that query every time and the page holds entries.
    """
    share = share_token_find(share_token)
    if share is not None and share.playlist_id != playlist.pk:
        share = None
    if share is not None:
        return _playlist_entries_queryset(playlist=playlist, user=user, share=share)
    signed_in = bool(user is not None and user.is_authenticated)
    key = (
        "playlist_entries",
        connection.vendor,
        playlist.pk,
        user.pk if signed_in else None,
        signed_in and user.is_staff,
    )
    return _PLAYLIST_ENTRIES.rows(
        key, lambda: _playlist_entries_queryset(playlist=playlist, user=user, share=None)
    )


def _playlist_entries_queryset(
    *, playlist: Playlist, user, share: ShareToken | None
) -> QuerySet[PlaylistEntry]:
    return (
        PlaylistEntry.objects.filter(playlist=playlist)
        .filter(tracks_visible_q(user=user, share=share, prefix="track__"))
        .select_related("track", "track__owner", "track__owner__profile")
        .order_by("position")
    )

"""Catalog reads: scoped querysets with their joins, access rules, ordering whitelists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import CONTENT_CREATOR_ROLES, User
from apps.catalog import media_cache
from apps.catalog.models import (
    LibraryEntry,
    ModerationStatus,
    Playlist,
    PlaylistEntry,
    ProcessingStatus,
    ShareToken,
    Track,
    Visibility,
)
from veza.api.exceptions import Forbidden, NotFound

# ?ordering= whitelists (shared/API.md, Conventions; changelog "ORDER BY dynamiques").
DEFAULT_ORDERING = "-created_at"
TRACK_ORDERINGS = frozenset({"created_at", "title", "play_count", "duration"})
PLAYLIST_ORDERINGS = frozenset({"created_at", "title"})


def ordering_resolve(value: str | None, allowed: frozenset[str]) -> list[str]:
    """The ``?ordering=`` value if whitelisted, else ``-created_at``; never raises.

    A unique tie-breaker keeps pages stable when many rows share the sort key.
    """
    value = (value or "").strip()
    field_name = value[1:] if value.startswith("-") else value
    chosen = value if field_name in allowed else DEFAULT_ORDERING
    return [chosen, "-id"]


def _tracks_with_owner() -> QuerySet[Track]:
    return Track.objects.select_related("owner", "owner__profile")


def public_tracks() -> QuerySet[Track]:
    """Tracks anyone may see in lists, feeds and search: ready, public, not moderated away."""
    return _tracks_with_owner().filter(
        status=ProcessingStatus.READY,
        visibility=Visibility.PUBLIC,
        moderation_status=ModerationStatus.ACTIVE,
    )


def _tag_filter(tag: str) -> Q:
    tag = tag.strip().lower()
    if connection.vendor == "postgresql":
        return Q(tags__contains=[tag])
    return Q(tags__icontains=f'"{tag}"')


def track_list(
    *,
    genre: str | None = None,
    owner: UUID | None = None,
    tag: str | None = None,
    ordering: str | None = None,
) -> QuerySet[Track]:
    qs = public_tracks()
    if genre:
        qs = qs.filter(genre__iexact=genre)
    if owner:
        qs = qs.filter(owner_id=owner)
    if tag:
        qs = qs.filter(_tag_filter(tag))
    return qs.order_by(*ordering_resolve(ordering, TRACK_ORDERINGS))


def track_search(*, query: str, limit: int = 20) -> list[Track]:
    """Ranked full-text search on PostgreSQL (trigger-maintained weighted vector, GIN index).

    On SQLite (the embedded default) a case-insensitive substring match stands in.
    """
    query = query.strip()
    qs = public_tracks()
    if connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config="simple")
        qs = (
            qs.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", "-play_count", "-id")
        )
    else:
        qs = qs.filter(
            Q(title__icontains=query)
            | Q(artist_name__icontains=query)
            | Q(album__icontains=query)
            | Q(tags__icontains=query)
        ).order_by("-play_count", "-id")
    return list(qs[:limit])


def artist_search(*, query: str, limit: int = 20) -> list[User]:
    query = query.strip()
    return list(
        User.objects.select_related("profile")
        .filter(is_active=True, role__in=CONTENT_CREATOR_ROLES)
        .filter(Q(username__icontains=query) | Q(profile__display_name__icontains=query))
        .order_by("username")[:limit]
    )


def playlist_search(*, query: str, limit: int = 20) -> list[Playlist]:
    return list(
        public_playlists().filter(title__icontains=query.strip()).order_by("-created_at")[:limit]
    )


def feed_tracks(*, user: User) -> QuerySet[Track]:
    """Recent public tracks of the creators ``user`` follows."""
    return public_tracks().filter(owner__followers__follower=user)


def library_tracks(*, user: User) -> QuerySet[LibraryEntry]:
    """The caller's saved tracks that they may still open right now.

    A private track saved through a link stays listed while that link (kept on the entry)
    still grants it; revoked, expired, or no longer granting (the track went private in a
    shared playlist of someone else), it is left out. So is a saved track its owner made
    private later. The rows stay: the track is back if access comes back.
    """
    return (
        LibraryEntry.objects.filter(user=user)
        .filter(tracks_visible_q(user=user, prefix="track__", share_field="share_id"))
        .select_related("track", "track__owner", "track__owner__profile")
        .order_by("-created_at", "-id")
    )


# --- Access rules -------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share_token_find(token: str | None) -> ShareToken | None:
    """The valid (not revoked, not expired) share behind a raw token, or ``None``."""
    if not token or len(token) > 128:
        return None
    share = ShareToken.objects.filter(token_hash=token_hash(token)).first()
    if share is None or not share.is_valid(timezone.now()):
        return None
    return share


def share_owned(*, share_id, user) -> ShareToken:
    """A share link the caller may revoke: one they created (or staff); others get 404."""
    share = ShareToken.objects.select_related("track", "playlist").filter(pk=share_id).first()
    if share is None or not _is_owner_or_staff(user, share.created_by_id):
        raise NotFound()
    return share


def _share_grant(share_ref, prefix: str) -> Exists:
    """What a valid share unlocks beyond what anyone may open: no more than its creator could
    grant.

    - a track share: that one track;
    - a playlist share: the tracks of that playlist that the playlist's owner owns. Someone
      else's track in the playlist opens only while it is public or unlisted (then no share is
      needed): a playlist owner cannot hand out other people's private tracks.

    ``share_ref`` is a share's id, or an ``OuterRef`` to a row's share column (library entries).
    """
    now = timezone.now()
    return Exists(
        ShareToken.objects.filter(pk=share_ref, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(
            Q(track_id=OuterRef(f"{prefix}pk"))
            | Q(
                playlist__owner_id=OuterRef(f"{prefix}owner_id"),
                playlist__entries__track_id=OuterRef(f"{prefix}pk"),
            )
        )
    )


def tracks_visible_q(
    *, user, share: ShareToken | None = None, prefix: str = "", share_field: str | None = None
) -> Q:
    """THE rule for which tracks a caller may open right now (detail, media, plays, lists).

    - taken down: nobody (staff work in the admin);
    - staff: everything else; the owner: all their own tracks;
    - anyone else: ready and active tracks that are public or unlisted, plus what a valid
      share grants (:func:`_share_grant`): ``share`` (the caller's link), or the share kept in
      each row's ``share_field`` (a library entry's link).

    ``prefix`` applies the rule through a relation (``"track__"`` for playlist and library
    entries). :func:`track_access` answers the same question for one row (and says 404 or 403).
    """
    alive = ~Q(**{f"{prefix}moderation_status": ModerationStatus.TAKEN_DOWN})
    authenticated = bool(user is not None and user.is_authenticated)
    if authenticated and user.is_staff:
        return alive
    opened = Q(**{f"{prefix}visibility__in": [Visibility.PUBLIC, Visibility.UNLISTED]})
    if share is not None:
        opened |= Q(_share_grant(share.pk, prefix))
    if share_field is not None:
        opened |= Q(_share_grant(OuterRef(share_field), prefix))
    visible = (
        Q(
            **{
                f"{prefix}status": ProcessingStatus.READY,
                f"{prefix}moderation_status": ModerationStatus.ACTIVE,
            }
        )
        & opened
    )
    if authenticated:
        visible |= alive & Q(**{f"{prefix}owner_id": user.pk})
    return visible


@dataclass(frozen=True)
class TrackAccess:
    """A track the caller may play, and whether that was granted to anyone (cacheable)."""

    track: Track
    is_public: bool
    share: ShareToken | None = None  # the link that granted it, when nothing else did

    @property
    def via_share(self) -> bool:
        return self.share is not None


def _is_owner_or_staff(user, owner_id) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.pk == owner_id))


def _track_load(track_id) -> Track:
    try:
        return _tracks_with_owner().get(pk=track_id)  # get(): no ORDER BY on the hot path
    except Track.DoesNotExist:
        raise NotFound() from None


def track_access(
    *, track_id, user, share_token: str | None = None, for_media: bool = False
) -> TrackAccess:
    """The single rule for who may see and play a track (detail, /stream, HLS, plays).

    - taken down: 404 for everyone (staff work in the admin);
    - not ready yet, or hidden by a moderator: only the owner and staff;
    - private: owner, staff or a valid share token that grants it (:func:`tracks_visible_q`:
      the track's own share, or a share of a playlist of the track's owner holding it), else
      403 PERMISSION_DENIED;
    - public and unlisted: anyone.

    ``for_media`` (stream, download, HLS) reads the row through ``media_cache``.
    """
    if not isinstance(track_id, UUID):
        try:
            track_id = UUID(str(track_id))
        except ValueError:
            raise NotFound() from None
    if for_media:
        track = media_cache.get_or_load(track_id, lambda: _track_load(track_id))
    else:
        track = _track_load(track_id)
    if track.moderation_status == ModerationStatus.TAKEN_DOWN:
        raise NotFound()
    privileged = _is_owner_or_staff(user, track.owner_id)
    if track.status != ProcessingStatus.READY or track.moderation_status != ModerationStatus.ACTIVE:
        if not privileged:
            raise NotFound()
        return TrackAccess(track=track, is_public=False)
    if track.visibility == Visibility.PRIVATE:
        if privileged:
            return TrackAccess(track=track, is_public=False)
        share = share_token_find(share_token)
        if (
            share is not None
            and Track.objects.filter(pk=track.pk)
            .filter(tracks_visible_q(user=user, share=share))
            .exists()
        ):
            return TrackAccess(track=track, is_public=False, share=share)
        raise Forbidden()
    return TrackAccess(track=track, is_public=track.visibility == Visibility.PUBLIC)


def track_owned(*, track_id, user) -> Track:
    """A track the caller may edit: owner or staff; others get 404 or 403."""
    try:
        track = Track.objects.select_related("owner", "owner__profile").get(pk=track_id)
    except (Track.DoesNotExist, ValueError):
        raise NotFound() from None
    if not _is_owner_or_staff(user, track.owner_id):
        if track.visibility == Visibility.PRIVATE:
            raise NotFound()
        raise Forbidden()
    return track


# --- Playlists ----------------------------------------------------------------------------


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


def playlist_access(*, playlist_id, user, share_token: str | None = None) -> Playlist:
    """A playlist the caller may read: public or unlisted, their own (or staff), or private
    with a valid share of this very playlist; else 403 (404 when there is none)."""
    try:
        playlist_id = UUID(str(playlist_id))
    except ValueError:
        raise NotFound() from None
    share = share_token_find(share_token) if share_token else None
    if share is not None and share.playlist_id != playlist_id:
        share = None
    try:
        playlist = (
            Playlist.objects.select_related("owner", "owner__profile")
            .annotate(track_count=_track_count(user=user, share=share))
            .get(pk=playlist_id)
        )
    except Playlist.DoesNotExist:
        raise NotFound() from None
    if playlist.visibility != Visibility.PRIVATE or _is_owner_or_staff(user, playlist.owner_id):
        return playlist
    if share is not None:
        return playlist
    raise Forbidden()


def playlist_owned(*, playlist_id, user, share_token: str | None = None) -> Playlist:
    """A playlist the caller may edit: their own (or staff). One they may only read is 403;
    one they may not read is 403 or 404 as :func:`playlist_access` says."""
    playlist = playlist_access(playlist_id=playlist_id, user=user, share_token=share_token)
    if not _is_owner_or_staff(user, playlist.owner_id):
        raise Forbidden()
    return playlist


def playlist_entries(
    *, playlist: Playlist, user, share_token: str | None = None
) -> QuerySet[PlaylistEntry]:
    """Entries in order, keeping only the tracks the caller may open right now.

    The same rule as :func:`track_access` (:func:`tracks_visible_q`), for the playlist's owner
    too: a track someone else made private after it was added is left out for everyone but
    its own owner and staff. A share of this playlist counts; a share of another one does not.
    """
    share = share_token_find(share_token)
    if share is not None and share.playlist_id != playlist.pk:
        share = None
    return (
        PlaylistEntry.objects.filter(playlist=playlist)
        .filter(tracks_visible_q(user=user, share=share, prefix="track__"))
        .select_related("track", "track__owner", "track__owner__profile")
        .order_by("position")
    )

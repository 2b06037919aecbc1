"""Who may open a track or use a share link: THE access rule, for one row and for querysets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.catalog import media_cache
from apps.catalog.models import ModerationStatus, ProcessingStatus, ShareToken, Track, Visibility
from veza.api.exceptions import Forbidden, NotFound


def tracks_with_owner() -> QuerySet[Track]:
    """Tracks with their owner and profile in one query. The full-text vector (trigger-made,
    read only by the database) stays in the database: it is most of a row's bytes."""
    return Track.objects.select_related("owner", "owner__profile").defer("search_vector")


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
    if share is None or not is_owner_or_staff(user, share.created_by_id):
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


def is_owner_or_staff(user, owner_id) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.pk == owner_id))


def _track_load(track_id) -> Track:
    try:
        return tracks_with_owner().get(pk=track_id)  # get(): no ORDER BY on the hot path
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
    privileged = is_owner_or_staff(user, track.owner_id)
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
    if not is_owner_or_staff(user, track.owner_id):
        if track.visibility == Visibility.PRIVATE:
            raise NotFound()
        raise Forbidden()
    return track

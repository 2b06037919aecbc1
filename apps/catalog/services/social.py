"""Follows and libraries."""

from __future__ import annotations

import logging

from apps.catalog.models import Follow, LibraryEntry, ShareToken, Track
from veza.api.exceptions import ValidationFailed
from veza.response_cache import response_cache_invalidate

logger = logging.getLogger(__name__)


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

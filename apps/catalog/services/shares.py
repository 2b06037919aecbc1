"""Share links: a random token, returned once and stored hashed."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.utils import timezone

from apps.catalog.models import Playlist, ShareToken, Track
from apps.catalog.selectors import token_hash
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta, audit_record
from veza.response_cache import response_cache_invalidate

logger = logging.getLogger(__name__)


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


def share_token_revoke(
    *, share: ShareToken, actor, meta: RequestMeta | None = None, reason: str = ""
) -> ShareToken:
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
            metadata={"share": str(share.pk), **({"reason": reason} if reason else {})},
        )
    share.refresh_from_db()
    return share


def share_tokens_delete(*, shares) -> int:
    """Delete share links for good (the operations console's audited delete). Library entries
    saved through one keep the track only while something else still grants it."""
    deleted, _ = ShareToken.objects.filter(pk__in=[share.pk for share in shares]).delete()
    if deleted:
        # Anonymous reads unlocked by these tokens may sit in the response cache.
        response_cache_invalidate("tracks", "playlists")
    return deleted

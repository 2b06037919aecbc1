"""Catalog: tracks (kept under a pseudonym only when public and asked for), playlists,
library, follows and share links."""

from apps.catalog import services
from apps.catalog.models import Follow, LibraryEntry, Playlist, ShareToken, Track, Visibility
from apps.gdpr.erasure.base import ErasureContext, ErasureStep
from veza.response_cache import response_cache_invalidate


def catalog_erase(ctx: ErasureContext) -> dict:
    """Private and unlisted tracks always go, with their audio, cover and HLS renditions
    (``track_delete`` removes the files after commit); public ones too unless the user chose
    to keep them, in which case they are credited to the deletion's pseudonym."""
    kept = deleted = 0
    for track in list(Track.objects.filter(owner=ctx.user).order_by("created_at")):
        if ctx.keep_public_tracks and track.visibility == Visibility.PUBLIC:
            kept += 1
            continue
        # The right to erasure is not refused by a track still at a platform: the
        # distribution step ran first and requested its takedown (apps.gdpr.erasure).
        services.track_delete(track=track, actor=ctx.actor, meta=ctx.meta, for_erasure=True)
        deleted += 1
    if kept:
        Track.objects.filter(owner=ctx.user).update(artist_name=ctx.pseudonym)
        services.track_caches_invalidate()
    playlists, _ = Playlist.objects.filter(owner=ctx.user).delete()
    library, _ = LibraryEntry.objects.filter(user=ctx.user).delete()
    follows, _ = Follow.objects.filter(follower=ctx.user).delete()
    followers, _ = Follow.objects.filter(followee=ctx.user).delete()
    shares, _ = ShareToken.objects.filter(created_by=ctx.user).delete()
    response_cache_invalidate("playlists", "search", "users", "feed")
    return {
        "tracks_kept": kept,
        "tracks_deleted": deleted,
        "playlists_deleted": playlists,
        "library_entries_deleted": library,
        "follows_deleted": follows + followers,
        "share_links_deleted": shares,
    }


STEPS = [
    ErasureStep(
        "catalog",
        now=catalog_erase,
        erased_now=(
            "Private and unlisted tracks, with their audio files and streaming renditions, "
            "are removed from storage.",
            "Public tracks are removed too, unless you chose to keep them: then they are "
            "credited to a pseudonym, not to you.",
            "Your playlists, library, follows and share links are deleted.",
        ),
    ),
]

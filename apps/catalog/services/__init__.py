"""Every write of the catalog, split by concern. Views, the admin and tasks call these."""

from apps.catalog.services.jobs import tracks_requeue_stalled
from apps.catalog.services.moderation import (
    ModerationAction,
    report_dismiss,
    report_file,
    track_moderate,
)
from apps.catalog.services.playlists import (
    playlist_create,
    playlist_delete,
    playlist_track_add,
    playlist_track_remove,
    playlist_update,
)
from apps.catalog.services.shares import (
    share_token_create,
    share_token_revoke,
    share_tokens_delete,
)
from apps.catalog.services.social import follow_create, follow_delete, library_add, library_remove
from apps.catalog.services.tracks import (
    TRACK_NAMESPACES,
    storage_delete_on_commit,
    tags_normalize,
    track_admin_edit_record,
    track_caches_invalidate,
    track_delete,
    track_process,
    track_update,
    track_upload,
)

__all__ = [
    "TRACK_NAMESPACES",
    "ModerationAction",
    "follow_create",
    "follow_delete",
    "library_add",
    "library_remove",
    "playlist_create",
    "playlist_delete",
    "playlist_track_add",
    "playlist_track_remove",
    "playlist_update",
    "report_dismiss",
    "report_file",
    "share_token_create",
    "share_token_revoke",
    "share_tokens_delete",
    "storage_delete_on_commit",
    "tags_normalize",
    "track_admin_edit_record",
    "track_caches_invalidate",
    "track_delete",
    "track_moderate",
    "track_process",
    "track_update",
    "track_upload",
    "tracks_requeue_stalled",
]

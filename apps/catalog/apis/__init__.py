"""Catalog API views, split by concern; imported from here by ``apps.catalog.urls``.

``common`` holds what streaming's media views reuse (the share-token parameter and the
serializer context).
"""

from apps.catalog.apis.common import (
    NO_CONTENT,
    SHARE_TOKEN_PARAM,
    ReadOpenApi,
    serializer_context,
    share_token_from_request,
)
from apps.catalog.apis.moderation import TrackReportApi
from apps.catalog.apis.playlists import (
    PlaylistDetailApi,
    PlaylistListCreateApi,
    PlaylistTrackDetailApi,
    PlaylistTracksApi,
)
from apps.catalog.apis.shares import PlaylistShareApi, ShareRevokeApi, TrackShareApi
from apps.catalog.apis.social import FeedApi, FollowApi, LibraryApi, LibraryTrackApi
from apps.catalog.apis.tracks import SearchApi, TrackDetailApi, TrackListCreateApi

__all__ = [
    "NO_CONTENT",
    "SHARE_TOKEN_PARAM",
    "FeedApi",
    "FollowApi",
    "LibraryApi",
    "LibraryTrackApi",
    "PlaylistDetailApi",
    "PlaylistListCreateApi",
    "PlaylistShareApi",
    "PlaylistTrackDetailApi",
    "PlaylistTracksApi",
    "ReadOpenApi",
    "SearchApi",
    "ShareRevokeApi",
    "TrackDetailApi",
    "TrackListCreateApi",
    "TrackReportApi",
    "TrackShareApi",
    "serializer_context",
    "share_token_from_request",
]
